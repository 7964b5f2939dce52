/**
 * Writes FreeSWITCH's agent directory: one `<id>.xml` per agent of config/agents.json, with the
 * digest hash of the agent's derived SIP password (gateway/telephony/sip-credentials.ts) and never
 * the password itself. Run after changing agents or AGENT_SIP_SECRET, then `reloadxml`:
 *
 *   AGENT_SIP_SECRET=... npx tsx config/freeswitch/render-agents.ts --out /srv/fs/conf/directory/agents
 *
 * Files of agents no longer configured (`<digits>.xml`) are removed from the directory, so a removed
 * agent's phone stops registering at the next reloadxml. Other files are left alone.
 */
import { mkdirSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { a1Hash, sipPassword } from '../../gateway/telephony/sip-credentials.ts'
import { loadConfig } from '../load.ts'

export interface DirectoryAgent {
  id: string
  name: string
}

export interface RenderOptions {
  /** The directory domain = digest realm (voice.softphone.domain, FS_DOMAIN). */
  domain: string
  /** voice.softphone.secret (AGENT_SIP_SECRET). */
  secret: string
}

const xmlAttr = (s: string) =>
  s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&apos;')

/**
 * One agent's directory file. The include tags stay on lines of their own: FreeSWITCH's
 * pre-processor drops every line that holds one (config/freeswitch/README.md).
 */
export function renderAgentFile(agent: DirectoryAgent, opts: RenderOptions): string {
  const hash = a1Hash(agent.id, opts.domain, sipPassword(opts.secret, agent.id))
  return [
    '<include>',
    `  <user id="${xmlAttr(agent.id)}">`,
    '    <params>',
    `      <param name="a1-hash" value="${hash}"/>`,
    '    </params>',
    '    <variables>',
    `      <variable name="effective_caller_id_name" value="${xmlAttr(agent.name)}"/>`,
    `      <variable name="effective_caller_id_number" value="${xmlAttr(agent.id)}"/>`,
    '    </variables>',
    '  </user>',
    '</include>',
    '',
  ].join('\n')
}

/** Writes `<outDir>/<id>.xml` for every agent (atomically, via a temp file); returns the paths written. */
export function renderAgents(agents: readonly DirectoryAgent[], opts: RenderOptions, outDir: string): string[] {
  mkdirSync(outDir, { recursive: true })
  const keep = new Set(agents.map((a) => `${a.id}.xml`))
  for (const f of readdirSync(outDir)) {
    if (/^[0-9]+\.xml$/.test(f) && !keep.has(f)) rmSync(join(outDir, f))
  }
  return agents.map((a) => {
    const path = join(outDir, `${a.id}.xml`)
    const tmp = `${path}.tmp`
    writeFileSync(tmp, renderAgentFile(a, opts), { mode: 0o640 })
    renameSync(tmp, path)
    return path
  })
}

function main(argv: string[]): void {
  const i = argv.indexOf('--out')
  const out = i >= 0 ? argv[i + 1] : undefined
  if (!out) {
    process.stderr.write('usage: npx tsx config/freeswitch/render-agents.ts --out <dir>\n')
    process.exit(2)
  }
  const config = loadConfig()
  const { domain, secret } = config.voice.softphone
  const written = renderAgents(config.agents, { domain, secret }, out)
  process.stdout.write(`${written.length} agent files written to ${out} (domain ${domain})\n`)
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) main(process.argv.slice(2))
