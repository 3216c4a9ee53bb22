import { TollgateError } from '../errors/tollgate-error.js'
import { parseWithSchema } from '../protocol/decode-json-header.js'
import { DEFAULT_MAX_HEADER_BYTES } from '../protocol/headers.js'
import { parseAuthChallenges } from './parse-auth-challenges.js'
import { mppChallengeSchema } from './schemas.js'
import { type MppChallenge, PAYMENT_SCHEME } from './types.js'

/** Options of {@link parsePaymentChallenges}. */
export type ParsePaymentChallengesOptions = {
  /** Largest accepted field value, in characters. Default 8192. */
  maxBytes?: number
  /** Most field values read. Default 16. */
  maxFields?: number
}

/** The `Payment` challenges of a 402, and why the broken ones were left out. */
export type ParsedPaymentChallenges = {
  /** Valid `Payment` challenges, in the order sent. */
  challenges: MppChallenge[]
  /** One `mpp_challenge_malformed` error per `Payment` challenge that was left out. */
  invalid: TollgateError[]
}

/**
 * Reads the `Payment` challenges of `WWW-Authenticate` (one or several field values; other schemes
 * are skipped). A `Payment` challenge with a missing, empty or invalid required parameter, or a
 * repeated one, is left out and reported in `invalid`, so the others stay usable.
 *
 * @example
 * const { challenges } = parsePaymentChallenges(response.headers.get('WWW-Authenticate') ?? '')
 * @throws {TollgateError} `mpp_challenge_malformed` for a field that breaks the RFC 9110 grammar,
 * is longer than `maxBytes`, or more than `maxFields` fields
 */
export function parsePaymentChallenges(
  values: string | readonly string[],
  options: ParsePaymentChallengesOptions = {},
): ParsedPaymentChallenges {
  const { maxBytes = DEFAULT_MAX_HEADER_BYTES, maxFields = 16 } = options
  const fields = typeof values === 'string' ? [values] : values
  if (fields.length > maxFields) {
    throw new TollgateError(
      'mpp_challenge_malformed',
      `${fields.length} WWW-Authenticate fields; at most ${maxFields} are read.`,
    )
  }
  const result: ParsedPaymentChallenges = { challenges: [], invalid: [] }
  for (const field of fields) {
    if (field.length > maxBytes) {
      throw new TollgateError(
        'mpp_challenge_malformed',
        `A WWW-Authenticate field has ${field.length} characters; at most ${maxBytes} are read.`,
        { details: { length: field.length, maxBytes } },
      )
    }
    for (const challenge of parseAuthChallenges(field)) {
      if (challenge.scheme.toLowerCase() !== PAYMENT_SCHEME.toLowerCase()) continue
      if (challenge.duplicates.length > 0 || challenge.token68 !== undefined) {
        result.invalid.push(
          new TollgateError(
            'mpp_challenge_malformed',
            'A Payment challenge repeats a parameter or has no parameters.',
            {
              details: { duplicates: challenge.duplicates },
            },
          ),
        )
        continue
      }
      try {
        result.challenges.push(toChallenge(challenge.params))
      } catch (error) {
        result.invalid.push(error as TollgateError)
      }
    }
  }
  return result
}

function toChallenge(params: Record<string, string>): MppChallenge {
  const valid = parseWithSchema(
    'Payment challenge',
    { ...params },
    mppChallengeSchema,
    'mpp_challenge_malformed',
  )
  const challenge: MppChallenge = {
    id: valid.id,
    realm: valid.realm,
    method: valid.method,
    intent: valid.intent,
    request: valid.request,
  }
  for (const name of ['expires', 'description', 'digest', 'opaque'] as const) {
    if (valid[name] !== undefined) challenge[name] = valid[name]
  }
  return challenge
}
