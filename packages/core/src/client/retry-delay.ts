/** Options of {@link retryDelay}. */
export type RetryDelayOptions = {
  /** Zero-based retry number. */
  attempt: number
  /** The response's `Retry-After` header, if any. */
  retryAfter: string | null
  /** First backoff in milliseconds. */
  baseMs: number
  /** Longest wait in milliseconds; a server asking for more is not waited for. */
  maxMs: number
  /** Current time in milliseconds, for HTTP-date values. */
  now: number
  /** Random number in [0, 1), for jitter. */
  random: () => number
}

/**
 * How long to wait before retrying a 429 or 503: the server's `Retry-After` (seconds or HTTP date)
 * when it gives one, else exponential backoff with full jitter. Returns undefined when the wait
 * would exceed `maxMs`, so the caller returns the response instead of hanging.
 * @internal
 */
export function retryDelay(options: RetryDelayOptions): number | undefined {
  const header = options.retryAfter?.trim()
  if (header) {
    const seconds = /^\d{1,9}$/.test(header) ? Number(header) * 1000 : Date.parse(header) - options.now
    if (Number.isFinite(seconds)) {
      const wait = Math.max(0, seconds)
      return wait <= options.maxMs ? wait : undefined
    }
  }
  const ceiling = Math.min(options.maxMs, options.baseMs * 2 ** options.attempt)
  return Math.floor(ceiling / 2 + (options.random() * ceiling) / 2)
}
