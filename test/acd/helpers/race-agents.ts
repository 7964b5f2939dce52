import type { AgentProfile } from '../../../gateway/acd/types.ts'

/** n agents 5001.. with the general skills and written capacity 2. */
export function raceAgents(n: number): AgentProfile[] {
  return Array.from({ length: n }, (_, i) => ({
    id: String(5001 + i),
    name: `坐席${5001 + i}`,
    role: 'agent' as const,
    writtenCapacity: 2,
    skills: ['hotline:general', 'category:咨询', 'language:普通话'].map((skill) => ({ skill, level: 5 })),
  }))
}
