/**
 * When to try a delivery next after `attemptsMade` failed attempts, or null when the
 * schedule is exhausted (dead-letter). Each delay gets ±10 % jitter so that a recovering
 * endpoint is not hit by every retry at once; a `Retry-After` from the receiver is
 * honoured when it asks for more time than the schedule gives.
 */
export function nextAttemptAt(opts: {
  schedule: readonly number[];
  attemptsMade: number;
  now: number;
  retryAfterMs?: number | null;
  random?: () => number;
}): number | null {
  const delay = opts.schedule[opts.attemptsMade];
  if (delay === undefined) return null;
  const jitter = 1 + ((opts.random ?? Math.random)() * 0.2 - 0.1);
  const scheduled = Math.round(delay * 1000 * jitter);
  const wanted = Math.min(opts.retryAfterMs ?? 0, 24 * 3600 * 1000);
  return opts.now + Math.max(scheduled, wanted);
}

/** `Retry-After` as seconds or an HTTP date, in milliseconds from now; null if absent or bad. */
export function parseRetryAfter(value: string | null | undefined, now: number): number | null {
  if (!value) return null;
  if (/^\d+$/.test(value.trim())) return Number(value.trim()) * 1000;
  const at = Date.parse(value);
  return Number.isNaN(at) ? null : Math.max(0, at - now);
}
