import { quote, TollgateError } from '../errors/tollgate-error.js'

/**
 * The current unix time in whole seconds from a millisecond clock, rejecting a clock that returns
 * anything but a finite number, since NaN would make every expiry comparison pass.
 *
 * @example unixSeconds(() => 1_700_000_000_500) // 1_700_000_000
 * @throws {TollgateError} `config_invalid`
 * @internal
 */
export function unixSeconds(now: () => number = Date.now): number {
  const milliseconds = now()
  if (typeof milliseconds !== 'number' || !Number.isFinite(milliseconds) || milliseconds < 0) {
    throw new TollgateError(
      'config_invalid',
      `The clock returned ${quote(milliseconds)}; \`now\` must return unix milliseconds.`,
    )
  }
  return Math.floor(milliseconds / 1000)
}
