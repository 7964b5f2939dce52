/**
 * The SIP edge bench's stand-in for the gateway's voice side, in its own process (its CPU stays out
 * of the bench process, which hosts the edge): FreeSWITCH's public dialplan parks every call without
 * answering it, so this answers each parked call as the gateway does (`sendmsg <uuid> execute
 * answer`) and nothing else; the caller (sipp) hangs up itself.
 *   node --import tsx bench/sip-edge/answerer.ts <esl port> <password>
 * Tells the parent { ready: true } once subscribed and { answered } when asked ({ count: true }).
 */
import { Esl } from './esl.ts'

const [port, password] = process.argv.slice(2)
const esl = await Esl.connect(Number(port), password)
let answered = 0
await esl.events('CHANNEL_PARK', (h) => {
  const uuid = h['Unique-ID']
  if (!uuid || h['Answer-State'] === 'answered') return
  answered += 1
  void esl.execute(uuid, 'answer')
})
process.on('message', (m: { count?: boolean }) => {
  if (m.count) process.send?.({ answered })
})
process.on('disconnect', () => process.exit(0))
process.send?.({ ready: true })
