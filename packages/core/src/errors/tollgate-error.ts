import { errorStatus, type TollgateErrorCode } from './error-codes.js'

const MARKER = Symbol.for('tollgate.error')

/** Options of {@link TollgateError}. */
export type TollgateErrorOptions = {
  /** The underlying error, kept for debugging. Never sent over the wire. */
  cause?: unknown
  /** Structured, non-secret facts about the failure (the bad value, the expected value). */
  details?: Record<string, unknown>
  /** Seconds after which retrying may succeed; a gate turns it into `Retry-After`. */
  retryAfter?: number
}

/**
 * The one error type of Tollgate. Callers branch on {@link TollgateError.code}.
 *
 * @example
 * try { parseAmount('1e6', 6) } catch (error) {
 *   if (TollgateError.is(error) && error.code === 'amount_invalid') { ... }
 * }
 */
export class TollgateError extends Error {
  readonly [MARKER] = true
  override name = 'TollgateError'
  /** Structured, non-secret facts about the failure. */
  readonly details: Readonly<Record<string, unknown>> | undefined
  /** Seconds after which retrying may succeed. */
  readonly retryAfter: number | undefined

  constructor(
    readonly code: TollgateErrorCode,
    message: string,
    options: TollgateErrorOptions = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause })
    this.details = options.details
    this.retryAfter = options.retryAfter
  }

  /** The HTTP status a gate answers this error with. */
  get status(): number {
    return errorStatus[this.code]
  }

  /**
   * Whether `value` is a TollgateError, also across bundles and duplicate installs
   * (where `instanceof` fails).
   */
  static is(value: unknown): value is TollgateError {
    return typeof value === 'object' && value !== null && (value as { [MARKER]?: unknown })[MARKER] === true
  }

  /** A JSON-safe view: code, message and details. Never includes `cause`. */
  toJSON(): { error: TollgateErrorCode; message: string; details?: Record<string, unknown> } {
    return {
      error: this.code,
      message: this.message,
      ...(this.details === undefined ? {} : { details: jsonSafe(this.details) as Record<string, unknown> }),
    }
  }
}

/** Converts bigints to decimal strings so details always serialise. */
function jsonSafe(value: unknown): unknown {
  if (typeof value === 'bigint') return value.toString()
  if (Array.isArray(value)) return value.map(jsonSafe)
  if (typeof value === 'object' && value !== null) {
    return Object.fromEntries(Object.entries(value).map(([key, entry]) => [key, jsonSafe(entry)]))
  }
  return value
}

/** The HTTP status for a code, from the one table in core. */
export function statusForCode(code: TollgateErrorCode): number {
  return errorStatus[code]
}

/**
 * Wraps anything thrown into a TollgateError, keeping TollgateErrors as they are.
 * @internal
 */
export function toTollgateError(
  error: unknown,
  fallback: TollgateErrorCode = 'internal_error',
): TollgateError {
  if (TollgateError.is(error)) return error
  return new TollgateError(fallback, 'An unexpected error occurred.', { cause: error })
}

/** Quotes an untrusted value for an error message, shortened so messages stay bounded. @internal */
export function quote(value: unknown, max = 64): string {
  let text: string
  try {
    text =
      typeof value === 'string'
        ? value
        : typeof value === 'bigint'
          ? `${value}n`
          : String(JSON.stringify(value))
  } catch {
    text = Object.prototype.toString.call(value)
  }
  const shown = text.length > max ? `${text.slice(0, max)}…` : text
  return typeof value === 'string' ? `"${shown}"` : shown
}
