/**
 * Generates the caller-facing prompt files (8 kHz, mono, 16-bit WAV) that FreeSWITCH plays.
 *
 *   npx tsx config/prompts/generate.ts [--out DIR] [--force] [--voice VOICE] [--only ID[,ID...]]
 *
 * - Every id of config/prompts/prompts-zh.json becomes <out>/<id>.wav (ids may contain "/", e.g.
 *   queue/ahead_prefix -> <out>/queue/ahead_prefix.wav, digits/3 -> <out>/digits/3.wav).
 * - One notice-<number> prompt per cancelled hotline of config/hotlines.json (its `notice` text),
 *   read at generation time.
 * - <out>/moh/moh.wav: about 30 s of gentle hold music made with `sox synth` (local_stream://moh).
 * - Default out dir: .prompts/zh at the repository root (git-ignored). It is FreeSWITCH's
 *   sound-prefix of the zh language (FS_PROMPTS_DIR, or -sounds <root>/.prompts).
 * - Existing files are kept unless --force: put recorded (human) prompts there under the same names
 *   and they replace the generated ones without any code change.
 * - Speech: espeak-ng then sox. Digits in the texts are spoken one by one (12345 -> 一二三四五).
 *   The default voice is cmn-latn-pinyin: with espeak-ng 1.51 (Debian 12) the plain `cmn` voice
 *   reads many characters as English-spelled pinyin ("nin two hao three" for 您好).
 *
 * Errors carry a code: PROMPTS_TOOL_MISSING (espeak-ng or sox not installed), PROMPTS_BAD_INDEX,
 * PROMPTS_BAD_ID, PROMPTS_TOOL_FAILED, PROMPTS_BAD_ARGS. Exit status 2 on any of them.
 */
import { spawnSync } from 'node:child_process'
import { existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'

const HERE = dirname(fileURLToPath(import.meta.url))
const REPO = resolve(HERE, '..', '..')
const DEFAULT_INDEX = join(HERE, 'prompts-zh.json')
const DEFAULT_HOTLINES = join(REPO, 'config', 'hotlines.json')
const DEFAULT_OUT = join(REPO, '.prompts', 'zh')
const DEFAULT_VOICE = 'cmn-latn-pinyin'

/** Ids: lower-case path segments; never a phone number (no run of 7 or more digits, except powers
 * of ten such as digits/100000000, the 亿 file of mod_say_zh). */
const ID_PATTERN = /^[a-z0-9_-]+(\/[a-z0-9_-]+)*$/
const phoneLike = (id: string): boolean => (id.match(/\d+/g) ?? []).some((run) => run.length >= 7 && !/^10+$/.test(run))

export class PromptError extends Error {
  readonly code: string
  constructor(code: string, message: string) {
    super(message)
    this.name = 'PromptError'
    this.code = code
  }
}

export interface Options {
  out: string
  force: boolean
  voice: string
  index: string
  hotlines: string
  only?: Set<string>
}

export function parseArgs(argv: string[]): Options {
  const o: Options = { out: DEFAULT_OUT, force: false, voice: DEFAULT_VOICE, index: DEFAULT_INDEX, hotlines: DEFAULT_HOTLINES }
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]
    const value = (): string => {
      const v = argv[++i]
      if (v === undefined || v.startsWith('--')) throw new PromptError('PROMPTS_BAD_ARGS', `${a} needs a value`)
      return v
    }
    if (a === '--out') o.out = resolve(value())
    else if (a === '--force') o.force = true
    else if (a === '--voice') o.voice = value()
    else if (a === '--index') o.index = resolve(value())
    else if (a === '--hotlines') o.hotlines = resolve(value())
    else if (a === '--only') o.only = new Set(value().split(',').filter(Boolean))
    else if (a === '--help' || a === '-h') {
      process.stdout.write('usage: npx tsx config/prompts/generate.ts [--out DIR] [--force] [--voice VOICE] [--only ID,...]\n')
      process.exit(0)
    } else throw new PromptError('PROMPTS_BAD_ARGS', `unknown argument ${a}`)
  }
  return o
}

function readJson(path: string): unknown {
  try {
    return JSON.parse(readFileSync(path, 'utf8'))
  } catch (err) {
    throw new PromptError('PROMPTS_BAD_INDEX', `cannot read ${path}: ${(err as Error).message}`)
  }
}

/** id -> text: the index plus notice-<number> for every cancelled hotline with a notice. */
export function loadPrompts(indexPath: string, hotlinesPath: string): Map<string, string> {
  const index = readJson(indexPath)
  if (!index || typeof index !== 'object' || Array.isArray(index)) {
    throw new PromptError('PROMPTS_BAD_INDEX', `${indexPath}: expected an object { "<id>": "<text>" }`)
  }
  const prompts = new Map<string, string>()
  for (const [id, text] of Object.entries(index)) {
    if (typeof text !== 'string' || !text.trim()) throw new PromptError('PROMPTS_BAD_INDEX', `${indexPath}: "${id}" has no text`)
    prompts.set(id, text)
  }
  const hotlines = readJson(hotlinesPath)
  if (!Array.isArray(hotlines)) throw new PromptError('PROMPTS_BAD_INDEX', `${hotlinesPath}: expected an array`)
  for (const h of hotlines as Array<Record<string, unknown>>) {
    if (h.status !== 'cancelled') continue
    if (typeof h.number !== 'string' || typeof h.notice !== 'string' || !h.notice.trim()) {
      throw new PromptError('PROMPTS_BAD_INDEX', `${hotlinesPath}: cancelled hotline ${String(h.number)} has no notice`)
    }
    prompts.set(`notice-${h.number}`, h.notice)
  }
  for (const id of prompts.keys()) {
    if (!ID_PATTERN.test(id) || id.includes('..')) throw new PromptError('PROMPTS_BAD_ID', `bad prompt id "${id}"`)
    if (phoneLike(id)) throw new PromptError('PROMPTS_BAD_ID', `prompt id "${id}" looks like a phone number`)
  }
  return prompts
}

const DIGITS = '零一二三四五六七八九'

/** What espeak-ng is given: every ASCII digit spoken on its own (hotline numbers, "按1键"). */
export function speechText(text: string): string {
  return text.replace(/[0-9]/g, (d) => DIGITS[Number(d)])
}

function run(cmd: string, args: string[]): void {
  const r = spawnSync(cmd, args, { encoding: 'utf8', env: { ...process.env, LC_ALL: 'C.UTF-8' } })
  if (r.error) {
    const code = (r.error as NodeJS.ErrnoException).code === 'ENOENT' ? 'PROMPTS_TOOL_MISSING' : 'PROMPTS_TOOL_FAILED'
    throw new PromptError(code, `${cmd}: ${r.error.message}`)
  }
  if (r.status !== 0) {
    throw new PromptError('PROMPTS_TOOL_FAILED', `${cmd} ${args.join(' ')} exited with ${r.status}: ${(r.stderr || '').trim()}`)
  }
}

export function checkTools(voice: string): void {
  for (const [tool, args, pkg] of [
    ['espeak-ng', ['--version'], 'espeak-ng'],
    ['sox', ['--version'], 'sox'],
  ] as const) {
    const r = spawnSync(tool, args, { encoding: 'utf8' })
    if (r.error || r.status !== 0) {
      throw new PromptError('PROMPTS_TOOL_MISSING', `${tool} is not installed or not runnable (apt-get install -y ${pkg})`)
    }
  }
  const voices = spawnSync('espeak-ng', [`--voices`], { encoding: 'utf8' }).stdout ?? ''
  const names = voices.split('\n').slice(1).map((l) => l.trim().split(/\s+/)[1]).filter(Boolean)
  if (!names.includes(voice)) {
    throw new PromptError('PROMPTS_TOOL_MISSING', `espeak-ng has no voice "${voice}" (espeak-ng --voices lists the installed ones)`)
  }
}

/** Writes through a temporary name in the same directory, so a half-written file is never played. */
function produce(target: string, make: (tmpOut: string) => void): void {
  mkdirSync(dirname(target), { recursive: true })
  const partial = `${target}.partial`
  try {
    make(partial)
    renameSync(partial, target)
  } finally {
    rmSync(partial, { force: true })
  }
}

function speak(text: string, voice: string, target: string, work: string): void {
  const raw = join(work, 'tts.wav')
  run('espeak-ng', ['-v', voice, '-s', '150', '-w', raw, speechText(text)])
  produce(target, (tmpOut) => run('sox', [raw, '-t', 'wav', '-r', '8000', '-c', '1', '-b', '16', tmpOut]))
}

/** About 30 s of a slow pentatonic tune (plucked notes, soft), 8 kHz mono 16-bit. */
function holdMusic(target: string, work: string): void {
  // C major pentatonic (C D E G A); 0 = rest. 48 notes of 0.625 s = 30 s.
  const hz: Record<string, number> = { C4: 261.63, D4: 293.66, E4: 329.63, G4: 392.0, A4: 440.0, C5: 523.25, D5: 587.33, E5: 659.25 }
  const phrase1 = ['E4', 'G4', 'A4', 'C5', 'A4', 'G4', 'E4', 'D4', 'C4', 'D4', 'E4', 'G4', 'E4', 'D4', 'C4', '0']
  const phrase2 = ['G4', 'A4', 'C5', 'D5', 'E5', 'D5', 'C5', 'A4', 'G4', 'A4', 'G4', 'E4', 'D4', 'E4', 'C4', '0']
  const tune = [...phrase1, ...phrase2, ...phrase1]
  const notes: string[] = []
  tune.forEach((n, i) => {
    const f = join(work, `note${String(i).padStart(2, '0')}.wav`)
    if (n === '0') run('sox', ['-n', '-r', '8000', '-c', '1', '-b', '16', f, 'trim', '0', '0.625'])
    else {
      run('sox', ['-n', '-r', '8000', '-c', '1', '-b', '16', f, 'synth', '0.625', 'pluck', String(hz[n]), 'fade', 'q', '0.02', '0.625', '0.3'])
    }
    notes.push(f)
  })
  produce(target, (tmpOut) =>
    run('sox', [...notes, '-t', 'wav', '-r', '8000', '-c', '1', '-b', '16', tmpOut, 'reverb', '40', 'gain', '-n', '-12']),
  )
}

export function generate(o: Options): { made: string[]; kept: string[] } {
  const prompts = loadPrompts(o.index, o.hotlines)
  checkTools(o.voice)
  mkdirSync(o.out, { recursive: true })
  const work = mkdtempSync(join(tmpdir(), 'prompts-'))
  const made: string[] = []
  const kept: string[] = []
  try {
    const jobs: Array<[string, (target: string) => void]> = []
    for (const [id, text] of prompts) jobs.push([id, (t) => speak(text, o.voice, t, work)])
    jobs.push(['moh/moh', (t) => holdMusic(t, work)])
    for (const [id, make] of jobs) {
      if (o.only && !o.only.has(id)) continue
      const target = join(o.out, `${id}.wav`)
      if (!o.force && existsSync(target) && statSync(target).size > 44) {
        kept.push(id)
        continue
      }
      make(target)
      made.push(id)
    }
  } finally {
    rmSync(work, { recursive: true, force: true })
  }
  return { made, kept }
}

const isMain = process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)
if (isMain) {
  try {
    const o = parseArgs(process.argv.slice(2))
    const { made, kept } = generate(o)
    process.stdout.write(`prompts in ${o.out}: ${made.length} generated, ${kept.length} kept (already there; --force regenerates)\n`)
  } catch (err) {
    const e = err as PromptError
    process.stderr.write(`generate prompts: [${e.code ?? 'PROMPTS_FAILED'}] ${e.message}\n`)
    process.exit(2)
  }
}
