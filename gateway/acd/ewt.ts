/**
 * Estimated wait time of a waiting entry (documented in docs/acd.md):
 *   EWT = max(0, position - readyAgents) * AHT / max(1, staffedAgents)
 * position: 1-based rank in its queue; readyAgents: agents available now with the queue's hotline
 * skill; staffedAgents: agents with that skill who are ready, reserved, busy or in wrap-up;
 * AHT: moving average of recent handle times of that kind (acd.defaultHandleSeconds until one exists).
 * With nobody staffed the wait is unknown; position x AHT is given as an upper guess.
 */
export function estimatedWaitSeconds(position: number, readyAgents: number, staffedAgents: number, ahtSeconds: number): number {
  const ahead = Math.max(0, position - readyAgents)
  return Math.round((ahead * ahtSeconds) / Math.max(1, staffedAgents))
}
