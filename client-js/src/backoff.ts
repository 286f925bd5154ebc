/**
 * How long to wait before reconnect attempt `attempt` (0 for the first): exponential from `initialMs`, capped at
 * `maxMs`, with equal jitter (at least half the step), so that a fleet of clients dropped together does not come back
 * in lockstep, and none retries sooner than half its step.
 */
export function reconnectDelay(attempt: number, initialMs: number, maxMs: number,
                               random: () => number = Math.random): number {
  const step = Math.min(maxMs, initialMs * 2 ** Math.min(attempt, 30));
  return step / 2 + random() * (step / 2);
}
