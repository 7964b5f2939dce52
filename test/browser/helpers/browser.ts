/** A real headless Chromium (playwright-core, the distro's /usr/bin/chromium), closed after the test. */
import { mkdirSync } from 'node:fs'
import { chromium, type Browser, type Page } from 'playwright-core'

interface TapLike {
  teardown(fn: () => unknown): void
}

export const CHROMIUM_PATH = '/usr/bin/chromium'

export async function launch(t: TapLike): Promise<Browser> {
  const browser = await chromium.launch({
    executablePath: CHROMIUM_PATH,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
  })
  t.teardown(() => browser.close())
  return browser
}

/** A fresh context (own sessionStorage) at the console's design size. */
export async function newPage(browser: Browser): Promise<Page> {
  const context = await browser.newContext({ viewport: { width: 1366, height: 768 }, locale: 'zh-CN' })
  const page = await context.newPage()
  page.on('pageerror', (err) => {
    throw err
  })
  return page
}

export async function screenshot(page: Page, name: string): Promise<void> {
  mkdirSync('screenshots', { recursive: true })
  await page.screenshot({ path: `screenshots/${name}.png` })
}

export async function login(page: Page, baseUrl: string, path: string, username: string, password: string): Promise<void> {
  await page.goto(`${baseUrl}${path}`)
  await page.fill('#username', username)
  await page.fill('#password', password)
  await page.click('form.login button[type=submit]')
}
