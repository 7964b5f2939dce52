/** Every Redis key the ACD writes lives under `<prefix>:acd`; the Lua scripts derive the rest from it. */
export function acdKeys(prefix: string) {
  const base = `${prefix}:acd`
  return {
    base,
    events: `${base}:events`,
    agents: `${base}:agents`,
    agent: (id: string) => `${base}:agent:${id}`,
    agentSkills: (id: string) => `${base}:agent-skills:${id}`,
    agentAppeals: (id: string) => `${base}:agent-appeals:${id}`,
    skillAgents: (skill: string) => `${base}:skill-agents:${skill}`,
    avail: `${base}:avail`,
    queues: `${base}:queues`,
    waiting: (queue: string) => `${base}:waiting:${queue}`,
    entry: (appealId: string) => `${base}:entry:${appealId}`,
    offer: (offerId: string) => `${base}:offer:${offerId}`,
    offerDeadlines: `${base}:offer-deadlines`,
    wrapDeadlines: `${base}:wrap-deadlines`,
    assigned: `${base}:assigned`,
    presence: `${base}:presence`,
    aht: `${base}:aht`,
    stats: (yyyymmdd: string) => `${base}:stats:${yyyymmdd}`,
    log: (agentId: string, yyyymmdd: string) => `${base}:log:${agentId}:${yyyymmdd}`,
  }
}
export type AcdKeys = ReturnType<typeof acdKeys>
