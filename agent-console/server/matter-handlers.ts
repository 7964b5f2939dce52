/**
 * 并案 decisions from the appeal card: confirm, detach, attach (with the linker's suggestions).
 * An agent decides only on an appeal the ACD lets them read (offered to or held by them); the
 * linker keeps each decision (a detached pair is never suggested again). Logged with ids only.
 */
import { withField } from '../../gateway/errors.ts'
import { CONSOLE_ERR_FORBIDDEN, CONSOLE_ERR_NOT_FOUND } from './errors.ts'
import type { HandlerContext } from './handlers.ts'
import type { MatterCards } from './matter-card.ts'
import type { ClientMessage } from './messages.ts'
import type { ConsoleSession } from './session.ts'

type MatterType = 'matter.get' | 'matter.confirm' | 'matter.detach' | 'matter.suggest' | 'matter.attach'
type Handler<T extends MatterType> = (s: ConsoleSession, m: ClientMessage<T>, ctx: HandlerContext) => Promise<Record<string, unknown>>

async function allowed(session: ConsoleSession, appealId: string, ctx: HandlerContext): Promise<MatterCards> {
  if (!(await ctx.acd.canRead(session.agentId, appealId))) {
    throw withField(new CONSOLE_ERR_FORBIDDEN('this appeal was not offered to you'), '/appealId')
  }
  if (!ctx.matters) throw withField(new CONSOLE_ERR_NOT_FOUND('Matter linking'), '/appealId')
  return ctx.matters
}

/** The linker's own codes become the console's: the client branches on CONSOLE_ERR_* only. */
async function linkerCall<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn()
  } catch (err) {
    const code = (err as { code?: string }).code
    if (code === 'MT_ERR_APPEAL_NOT_LINKED') throw withField(new CONSOLE_ERR_NOT_FOUND('Matter link'), '/appealId')
    if (code === 'MT_ERR_MATTER_NOT_FOUND') throw withField(new CONSOLE_ERR_NOT_FOUND('Matter'), '/matterId')
    throw err
  }
}

/**
 * The decision's card for the deciding agent (the ack), and a notice for the other appeals of the
 * matter it left and the matter it is in now: agents holding those see their cards change live.
 */
async function decided(session: ConsoleSession, cards: MatterCards, ctx: HandlerContext, appealId: string, decision: string, from?: string) {
  const matter = await cards.card(appealId)
  session.log.info({ appealId, matterId: matter?.matterId, from, decision }, 'matter decision')
  const touched = new Set<string>()
  for (const id of new Set([from, matter?.matterId])) {
    if (!id) continue
    const view = await cards.linker.matter(id).catch(() => undefined)
    for (const m of view?.members ?? []) if (m.appealId !== appealId) touched.add(m.appealId)
  }
  for (const other of matter?.others ?? []) touched.add(other.appealId)
  if (touched.size > 0) await ctx.matterChanged([...touched])
  return { matter: matter ?? null }
}

export const MATTER_HANDLERS: { [K in MatterType]: Handler<K> } = {
  'matter.get': async (session, msg, ctx) => {
    const cards = await allowed(session, msg.appealId, ctx)
    return { matter: (await cards.card(msg.appealId)) ?? null }
  },

  'matter.confirm': async (session, msg, ctx) => {
    const cards = await allowed(session, msg.appealId, ctx)
    await linkerCall(() => cards.linker.confirm(msg.appealId, session.agentId))
    return decided(session, cards, ctx, msg.appealId, 'confirmed')
  },

  'matter.detach': async (session, msg, ctx) => {
    const cards = await allowed(session, msg.appealId, ctx)
    const before = await cards.linker.get(msg.appealId)
    await linkerCall(() => cards.linker.detach(msg.appealId, session.agentId))
    return decided(session, cards, ctx, msg.appealId, 'detached', before?.matterId)
  },

  'matter.suggest': async (session, msg, ctx) => {
    const cards = await allowed(session, msg.appealId, ctx)
    return { candidates: await linkerCall(() => cards.candidates(msg.appealId)) }
  },

  'matter.attach': async (session, msg, ctx) => {
    const cards = await allowed(session, msg.appealId, ctx)
    const before = await cards.linker.get(msg.appealId)
    await linkerCall(() => cards.linker.attach(msg.appealId, msg.matterId, session.agentId))
    return decided(session, cards, ctx, msg.appealId, 'attached', before?.matterId)
  },
}
