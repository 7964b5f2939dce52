/**
 * Agents and supervisors from config. Demo accounts (config `demo: true`) get their hash from the
 * demo password at startup; config/load.ts has already refused them in production.
 */
import type { Config } from '../../config/schema.ts'
import type { AgentProfile } from '../acd/types.ts'
import { hashPassword } from './password.ts'

/** The documented default demo password outside production (DEMO_PASSWORD overrides it). */
export const DEFAULT_DEMO_PASSWORD = 'demo12345'

export interface DirectoryEntry {
  profile: AgentProfile
  passwordHash: string
}

export class AgentDirectory {
  readonly #byId: Map<string, DirectoryEntry>

  private constructor(entries: DirectoryEntry[]) {
    this.#byId = new Map(entries.map((e) => [e.profile.id, e]))
  }

  static async fromConfig(config: Readonly<Config>): Promise<AgentDirectory> {
    const demoPassword = config.auth.demoPassword || DEFAULT_DEMO_PASSWORD
    // Cheaper scrypt for demo accounts in tests only: dozens of test apps hash them at startup.
    const params = config.env === 'test' ? { N: 1024, r: 8, p: 1 } : undefined
    const demoHash = config.agents.some((a) => a.demo) ? await hashPassword(demoPassword, params) : ''
    return new AgentDirectory(
      config.agents.map((a) => ({
        profile: {
          id: a.id,
          name: a.name,
          role: a.role,
          skills: a.skills.map((s) => ({ skill: s.skill, level: s.level })),
          writtenCapacity: a.writtenCapacity,
        },
        passwordHash: a.demo ? demoHash : a.passwordHash!,
      })),
    )
  }

  get(id: string): DirectoryEntry | undefined {
    return this.#byId.get(id)
  }

  profiles(): AgentProfile[] {
    return [...this.#byId.values()].map((e) => e.profile)
  }
}
