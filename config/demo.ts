/**
 * `npm run demo`: the whole centre on one machine for a newcomer. Redis comes from with-redis.ts;
 * this starts FreeSWITCH with the project's config when a binary is installed (FREESWITCH_BIN or
 * PATH), generates the Chinese prompts the first time, starts the gateway with the demo agents and
 * says how to place a test call and answer it in the console. Without FreeSWITCH it says so and
 * runs the written channels only.
 */
import { spawn } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { existsSync } from 'node:fs'
import { resolve } from 'node:path'
import { loadConfig } from './load.ts'
import { ensurePackages, findFreeswitch, launchFreeswitch, type RunningFreeswitch } from './freeswitch/launch.ts'

const say = (m: string) => process.stderr.write(`[demo] ${m}\n`)
const num = (v: string | undefined, d: number) => (v && /^\d+$/.test(v) ? Number(v) : d)

async function main(): Promise<void> {
  const env = process.env
  const config = loadConfig()
  const port = config.server.port
  const gatewayEnv: NodeJS.ProcessEnv = { ...env }
  let fs: RunningFreeswitch | undefined
  const bin = findFreeswitch(env)
  if (!bin) {
    say('no FreeSWITCH binary found (FREESWITCH_BIN or `freeswitch` on PATH): the voice path stays off;')
    say('the written channels, the ACD, the console and 并案 run as usual.')
  } else {
    ensurePackages({ 'espeak-ng': 'espeak-ng', sox: 'sox', sipp: 'sip-tester' }, say)
    const promptsDir = resolve(config.voice.promptsDir)
    if (!existsSync(resolve(promptsDir, 'welcome.wav'))) {
      say(`generating the Chinese prompts into ${promptsDir} (espeak-ng + sox; replace them with recordings any time)`)
      const gen = spawn(process.execPath, ['--import', 'tsx', 'config/prompts/generate.ts', '--out', promptsDir], { stdio: 'inherit' })
      const code = await new Promise<number | null>((r) => gen.once('exit', r))
      if (code !== 0) say('prompt generation failed: calls still work, prompts will be missing')
    }
    const eslPassword = env.FS_ESL_PASSWORD || randomBytes(16).toString('hex')
    const ports = {
      esl: num(env.FS_ESL_PORT, 8021),
      carrier: num(env.FS_CARRIER_PORT, 5080),
      agents: num(env.FS_AGENT_PORT, 5070),
      agentsWs: num(env.FS_AGENT_WS_PORT, 5066),
      rtpStart: num(env.FS_RTP_START, 20000),
      rtpEnd: num(env.FS_RTP_END, 20999),
    }
    say(`starting FreeSWITCH (${bin}) with config/freeswitch: ESL 127.0.0.1:${ports.esl}, carrier SIP 127.0.0.1:${ports.carrier}, agents SIP ${ports.agents} / ws ${ports.agentsWs}`)
    fs = await launchFreeswitch({
      bin,
      dir: '.freeswitch-demo',
      ports,
      eslPassword,
      promptsDir,
      agents: config.agents.map((a) => ({ id: a.id, name: a.name })),
      sipDomain: config.voice.softphone.domain,
      sipSecret: config.voice.softphone.secret,
    })
    Object.assign(gatewayEnv, {
      FREESWITCH_SERVERS: `fs1=127.0.0.1:${ports.esl}`,
      FS_ESL_PASSWORD: eslPassword,
      SOFTPHONE_WS_URL: `ws://127.0.0.1:${ports.agentsWs}`,
    })
    say('')
    say('Place a test call to 12345 (or an old number such as 12315, 12319):')
    say(`  sipp -sn uac -s 12345 -m 1 -d 60000 127.0.0.1:${ports.carrier}`)
    say('or point any SIP softphone at sip:12345@127.0.0.1:' + ports.carrier)
    say(`Answer it: open http://127.0.0.1:${port}/console/ , log in as 1001 with the demo password`)
    say('(DEMO_PASSWORD, default demo12345), wait for the softphone to say 已注册, press 就绪 (F6);')
    say('the call rings in the browser: 接听.')
    say('')
  }
  const gateway = spawn(process.execPath, ['--import', 'tsx', 'gateway/main.ts'], { stdio: 'inherit', env: gatewayEnv })
  const stop = (sig: NodeJS.Signals) => gateway.kill(sig)
  process.on('SIGINT', stop)
  process.on('SIGTERM', stop)
  const code = await new Promise<number | null>((r) => gateway.once('exit', r))
  await fs?.stop()
  process.exit(code ?? 0)
}

main().catch((err) => {
  say(`${(err as { code?: string }).code ?? 'error'}: ${(err as Error).message}`)
  process.exit(1)
})
