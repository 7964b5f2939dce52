/** The agent console as a person drives it: log in, go ready (F6), take the offer shown (F2). */
import type { Browser, Page } from 'playwright-core'
import { DEMO_PASSWORD } from '../../console/helpers/console-app.ts'
import { login, newPage } from './browser.ts'

export const STATE = '[data-testid=state]'

/** A fresh page logged in to /console/ as this demo agent, offline as every login starts. */
export async function agentPage(browser: Browser, baseUrl: string, agentId: string): Promise<Page> {
  const page = await newPage(browser)
  await login(page, baseUrl, '/console/', agentId, DEMO_PASSWORD)
  await page.waitForSelector(`${STATE}[data-state=offline]`)
  return page
}

/** F6 and wait for 就绪 (only when nothing is waiting: an offer would skip straight past it). */
export async function goReady(page: Page): Promise<void> {
  await page.keyboard.press('F6')
  await page.waitForSelector(`${STATE}[data-state=ready]`)
}

/** Waits for the offer of this appeal, accepts it with F2 and waits for its card. */
export async function acceptOffer(page: Page, appealId: string): Promise<void> {
  await page.waitForSelector('#offer:not([hidden])')
  await page.keyboard.press('F2')
  await page.waitForSelector(`.appeal-card[data-appeal-id="${appealId}"]`)
}
