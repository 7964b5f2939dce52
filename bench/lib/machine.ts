/** What the figures were measured on: printed with every run and stored in bench/results/. */
import os from 'node:os'
import { execFileSync } from 'node:child_process'
import { Redis } from 'ioredis'

export const REDIS_URL = process.env.REDIS_URL || 'redis://127.0.0.1:6379'

export interface Machine {
  nproc: number
  cpu: string
  memoryMiB: number
  platform: string
  node: string
  redis: string
  redisUrl: string
  commit: string
  /** 1-minute load average when the run started: other work on the machine skews every figure. */
  loadAverage: number
}

export async function machineInfo(): Promise<Machine> {
  return {
    nproc: os.availableParallelism(),
    cpu: os.cpus()[0]?.model.trim() ?? 'unknown',
    memoryMiB: Math.round(os.totalmem() / 2 ** 20),
    platform: `${os.type()} ${os.release()} ${os.arch()}`,
    node: process.version,
    redis: await redisVersion(),
    redisUrl: REDIS_URL.replace(/\/\/[^@/]*@/, '//***@'),
    commit: gitCommit(),
    loadAverage: Number(os.loadavg()[0].toFixed(2)),
  }
}

async function redisVersion(): Promise<string> {
  const redis = new Redis(REDIS_URL, { lazyConnect: true, maxRetriesPerRequest: 1, connectTimeout: 2000 })
  try {
    await redis.connect()
    const info = await redis.info('server')
    return /redis_version:(\S+)/.exec(info)?.[1] ?? 'unknown'
  } catch {
    return 'unreachable'
  } finally {
    redis.disconnect()
  }
}

function gitCommit(): string {
  try {
    const sha = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { encoding: 'utf8' }).trim()
    const dirty = execFileSync('git', ['status', '--porcelain'], { encoding: 'utf8' }).trim() !== ''
    return dirty ? `${sha}+dirty` : sha
  } catch {
    return 'unknown'
  }
}

export function describeMachine(m: Machine): string {
  return `${m.nproc} CPU (${m.cpu}), ${m.memoryMiB} MiB, ${m.platform}, node ${m.node}, redis ${m.redis} at ${m.redisUrl}, commit ${m.commit}, load average ${m.loadAverage}${m.loadAverage > m.nproc / 2 ? ' (machine busy: figures will be low)' : ''}`
}
