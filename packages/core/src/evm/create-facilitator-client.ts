import type { z } from 'zod'
import { errorStatus, type TollgateErrorCode } from '../errors/error-codes.js'
import { quote, TollgateError } from '../errors/tollgate-error.js'
import { readBodyText } from '../protocol/read-body-text.js'
import { anySignal } from '../rpc/any-signal.js'
import type { ExactInput, ExactScheme } from '../scheme/types.js'
import {
  type FacilitatorRequest,
  facilitatorSettleResponseSchema,
  type SupportedResponse,
  supportedResponseSchema,
  verifyResponseSchema,
} from './facilitator-schemas.js'
import { exactExtra, identifyExact } from './identify-exact.js'
import { parseExactPayload } from './parse-exact-payload.js'

/** The facilitator endpoints, for per-request headers. */
export type FacilitatorPath = 'verify' | 'settle' | 'supported'

/** Options of {@link createFacilitatorClient}. */
export type CreateFacilitatorClientOptions = {
  /** Base URL of an x402 v2 facilitator, such as `"https://x402.org/facilitator"`; a trailing slash is ignored. */
  url: string
  /** `fetch` to use. Default the global one. */
  fetch?: typeof fetch
  /** Milliseconds to wait for `/verify` and `/supported` before failing with `rpc_unavailable`. Default 10000. */
  timeoutMs?: number
  /** Milliseconds to wait for `/settle`, which waits for the chain. Default 90000 (the official client's). */
  settleTimeoutMs?: number
  /** Headers for every request (an API key), or a function of the endpoint (a per-request JWT). */
  headers?: HeadersInit | ((path: FacilitatorPath) => HeadersInit | Promise<HeadersInit>)
  /** Largest accepted answer, in bytes. Default 65536. */
  maxResponseBytes?: number
  /** Tolerated clock difference with payers, in seconds (caps the replay claim's lifetime). Default 30. */
  clockSkewSeconds?: number
  /** Clock in milliseconds. Default `Date.now`. */
  now?: () => number
}

/** An `exact` scheme that delegates `verify` and `settle` to an x402 facilitator. */
export type FacilitatorClient = ExactScheme & {
  /** Asks the facilitator what it supports (`GET /supported`). */
  supported(): Promise<SupportedResponse>
}

// The official facilitator's reason codes that name the same failure as one of ours.
const reasonAliases: Readonly<Record<string, TollgateErrorCode>> = {
  invalid_exact_evm_signature: 'invalid_exact_evm_payload_signature',
  invalid_exact_evm_failed_to_parse_signature: 'invalid_exact_evm_payload_signature',
  invalid_exact_evm_recipient_mismatch: 'invalid_exact_evm_payload_recipient_mismatch',
  invalid_exact_evm_authorization_value: 'invalid_exact_evm_payload_authorization_value_mismatch',
  invalid_exact_evm_insufficient_balance: 'insufficient_funds',
  invalid_exact_evm_scheme: 'unsupported_scheme',
  invalid_scheme: 'unsupported_scheme',
  invalid_exact_evm_network_mismatch: 'invalid_network',
}
// Codes a facilitator may hand us as its verdict; anything else (internal or client-side codes)
// becomes the generic failure.
const passThrough = new Set<string>([
  'insufficient_funds',
  'settlement_failed',
  'settlement_pending',
  'settler_unfunded',
  'payment_already_used',
  'payment_in_progress',
  'unsupported_scheme',
  'asset_unknown',
  'network_unknown',
  'requirements_mismatch',
  'rpc_unavailable',
])
// Verdicts reached before anything was broadcast: with no transaction, the transfer did not happen.
const beforeBroadcast = (code: TollgateErrorCode): boolean =>
  code !== 'invalid_exact_evm_nonce_already_used' &&
  code !== 'invalid_exact_evm_transaction_failed' &&
  code !== 'invalid_exact_evm_transfer_event_mismatch' &&
  (code.startsWith('invalid_') ||
    code === 'insufficient_funds' ||
    code === 'settler_unfunded' ||
    code === 'unsupported_scheme' ||
    code === 'asset_unknown' ||
    code === 'network_unknown' ||
    code === 'rpc_unavailable')
const HASH = /^0x[0-9a-fA-F]{64}$/
// Settle verdicts that ask the gate to come back (503 with Retry-After).
const RETRYABLE = new Set<TollgateErrorCode>(['rpc_unavailable', 'settlement_pending', 'settler_unfunded'])

/**
 * Creates an `exact` scheme that hands verification and settlement to an x402 v2 facilitator over
 * HTTP (`POST /verify`, `POST /settle`, `GET /supported`), validating every answer. `identify` stays
 * local and offline, so the gate's Store claim still stops concurrent use of one authorization
 * before the facilitator is asked.
 *
 * A refusal carries the facilitator's reason code when Tollgate knows it (the official
 * facilitator's own names are mapped, `invalid_exact_evm_signature` to
 * `invalid_exact_evm_payload_signature` and so on), else `facilitator_error` (verify) or
 * `settlement_failed` (settle). A failed settlement is marked `details.settled = false` only when the
 * facilitator reports a pre-broadcast reason and no transaction, or could not be connected to.
 * `settlement_pending` (with `details.transaction`) and `settler_unfunded` come back as themselves,
 * with the facilitator's `Retry-After`.
 *
 * @example
 * evmNetwork({ network: 'eip155:84532', rpcUrl, exact: createFacilitatorClient({ url: 'https://x402.org/facilitator' }) })
 * @throws {TollgateError} `config_invalid` for a bad URL; from `identify`: `invalid_payload`; from `verify`: the
 * facilitator's reason, `facilitator_error` (malformed or unexpected answer, 502), `rpc_unavailable` (unreachable,
 * timed out, overloaded: 503); from `settle`: the facilitator's reason, `settlement_failed`, `facilitator_error`
 */
export function createFacilitatorClient(options: CreateFacilitatorClientOptions): FacilitatorClient {
  let base: string
  try {
    base = new URL(options.url).href.replace(/\/+$/, '')
  } catch (error) {
    throw new TollgateError('config_invalid', `The facilitator URL ${quote(options.url)} is invalid.`, {
      cause: error,
    })
  }
  const fetchFn = options.fetch ?? globalThis.fetch
  const timeoutMs = options.timeoutMs ?? 10_000
  const settleTimeoutMs = options.settleTimeoutMs ?? 90_000
  const maxResponseBytes = options.maxResponseBytes ?? 65_536
  const clockSkewSeconds = options.clockSkewSeconds ?? 30
  const now = options.now ?? Date.now

  const exchange = async (
    path: FacilitatorPath,
    init: { body?: FacilitatorRequest; timeoutMs: number; signal?: AbortSignal },
  ): Promise<{ response: Response; json: unknown }> => {
    const timeout = AbortSignal.timeout(init.timeoutMs)
    const extra = typeof options.headers === 'function' ? await options.headers(path) : options.headers
    const headers = new Headers(extra)
    headers.set('accept', 'application/json')
    if (init.body !== undefined) headers.set('content-type', 'application/json')
    let response: Response
    let text: string | undefined
    try {
      response = await fetchFn(`${base}/${path}`, {
        method: init.body === undefined ? 'GET' : 'POST',
        headers,
        ...(init.body === undefined ? {} : { body: JSON.stringify(init.body) }),
        signal: init.signal === undefined ? timeout : anySignal([timeout, init.signal]),
      })
      text = await readBodyText(response.body, maxResponseBytes)
    } catch (error) {
      throw new TransportError(
        timeout.aborted
          ? `The facilitator did not answer /${path} within ${init.timeoutMs} ms.`
          : `The facilitator could not be reached for /${path}.`,
        { cause: error },
      )
    }
    if (text === undefined) {
      throw new TollgateError(
        'facilitator_error',
        `The facilitator's /${path} answer exceeds ${maxResponseBytes} bytes.`,
      )
    }
    let json: unknown
    try {
      json = JSON.parse(text)
    } catch {
      json = undefined
    }
    return { response, json }
  }

  const request = (input: ExactInput): FacilitatorRequest => ({
    x402Version: 2,
    paymentPayload: { x402Version: 2, accepted: input.requirements, payload: { ...input.payload } },
    paymentRequirements: input.requirements,
  })

  const verify = async (input: ExactInput): Promise<{ payer: string }> => {
    const { authorization } = parseExactPayload(input.payload)
    let answer: { response: Response; json: unknown }
    try {
      answer = await exchange('verify', {
        body: request(input),
        timeoutMs,
        ...(input.signal === undefined ? {} : { signal: input.signal }),
      })
    } catch (error) {
      if (error instanceof TransportError)
        throw new TollgateError('rpc_unavailable', error.message, { cause: error.cause, retryAfter: 2 })
      throw error
    }
    const { response, json } = answer
    const verdict = verifyResponseSchema.safeParse(json)
    if (!verdict.success) throw unexpected(response, 'verify', verdict.error)
    if (!verdict.data.isValid) {
      const code = codeFor(verdict.data.invalidReason, 'facilitator_error')
      throw new TollgateError(
        code,
        `The facilitator refused the payment${describe(verdict.data.invalidReason, verdict.data.invalidMessage)}.`,
        {
          details: { reason: verdict.data.invalidReason ?? null },
          ...(code === 'rpc_unavailable' ? { retryAfter: retryAfterOf(response) } : {}),
        },
      )
    }
    if (!response.ok) throw unexpected(response, 'verify')
    checkPayer(verdict.data.payer, authorization.from)
    return { payer: authorization.from }
  }

  const settle = async (input: ExactInput): Promise<{ transaction: string; payer: string }> => {
    const { authorization } = parseExactPayload(input.payload)
    let answer: { response: Response; json: unknown }
    try {
      answer = await exchange('settle', { body: request(input), timeoutMs: settleTimeoutMs })
    } catch (error) {
      if (!(error instanceof TransportError)) throw error
      throw settleTransportFailure(error)
    }
    const { response, json } = answer
    const result = facilitatorSettleResponseSchema.safeParse(json)
    if (!result.success) throw unexpected(response, 'settle', result.error)
    const settlement = result.data
    if (!settlement.success) throw settlementRefused(settlement, response)
    if (
      !response.ok ||
      !HASH.test(settlement.transaction) ||
      settlement.network !== input.requirements.network
    ) {
      throw new TollgateError(
        'facilitator_error',
        `The facilitator reported a settlement it cannot have made (${quote(settlement.transaction)} on ${quote(settlement.network)}).`,
      )
    }
    checkPayer(settlement.payer, authorization.from)
    return { transaction: settlement.transaction, payer: authorization.from }
  }

  return {
    specificationVersion: 'v1',
    extra: exactExtra,
    identify: (input) => identifyExact(input, { nowSeconds: Math.floor(now() / 1000), clockSkewSeconds }),
    verify,
    settle,
    async supported() {
      let answer: { response: Response; json: unknown }
      try {
        answer = await exchange('supported', { timeoutMs })
      } catch (error) {
        if (error instanceof TransportError)
          throw new TollgateError('rpc_unavailable', error.message, { cause: error.cause, retryAfter: 2 })
        throw error
      }
      const parsed = supportedResponseSchema.safeParse(answer.json)
      if (!answer.response.ok || !parsed.success) throw unexpected(answer.response, 'supported', parsed.error)
      return parsed.data as SupportedResponse
    },
  }
}

class TransportError extends Error {}

// Refused connections never delivered the request; any other loss leaves the outcome open.
function settleTransportFailure(error: TransportError): TollgateError {
  const refused = hasCode(error.cause, 'ECONNREFUSED')
  return new TollgateError('facilitator_error', error.message, {
    cause: error.cause,
    ...(refused ? { details: { settled: false } } : {}),
  })
}

// A /settle answer with `success: false`: the facilitator's reason, its hash if any, and whether
// the payment surely did not move.
function settlementRefused(
  settlement: z.infer<typeof facilitatorSettleResponseSchema>,
  response: Response,
): TollgateError {
  const code = codeFor(settlement.errorReason, 'settlement_failed')
  const transaction = HASH.test(settlement.transaction) ? settlement.transaction : undefined
  const settled = transaction === undefined && beforeBroadcast(code) ? { settled: false } : {}
  return new TollgateError(
    code,
    `The facilitator could not settle the payment${describe(settlement.errorReason, settlement.errorMessage)}.`,
    {
      details: {
        reason: settlement.errorReason ?? null,
        ...(transaction ? { transaction } : {}),
        ...settled,
      },
      ...(RETRYABLE.has(code) ? { retryAfter: retryAfterOf(response) } : {}),
    },
  )
}

function codeFor(reason: string | undefined, fallback: TollgateErrorCode): TollgateErrorCode {
  if (reason === undefined) return fallback
  const code = reasonAliases[reason] ?? reason
  if (!Object.hasOwn(errorStatus, code)) return fallback
  return code.startsWith('invalid_') || passThrough.has(code) ? (code as TollgateErrorCode) : fallback
}

function describe(reason: string | undefined, message: string | undefined): string {
  if (message !== undefined) return `: ${quote(message, 200)}`
  return reason === undefined ? '' : ` (${quote(reason)})`
}

function checkPayer(reported: string | undefined, payer: string): void {
  if (reported !== undefined && reported !== '' && reported.toLowerCase() !== payer.toLowerCase()) {
    throw new TollgateError(
      'facilitator_error',
      `The facilitator names payer ${quote(reported)}, but the authorization is from ${payer}.`,
    )
  }
}

// An answer that is not an x402 verdict: overload or a gateway in the way is worth a retry (503),
// anything else is a broken facilitator (502).
function unexpected(response: Response, path: FacilitatorPath, cause?: z.ZodError): TollgateError {
  if ([429, 502, 503, 504].includes(response.status)) {
    return new TollgateError(
      'rpc_unavailable',
      `The facilitator answered /${path} with HTTP ${response.status}.`,
      {
        retryAfter: retryAfterOf(response),
      },
    )
  }
  return new TollgateError(
    'facilitator_error',
    `The facilitator's /${path} answer (HTTP ${response.status}) is not a valid x402 response.`,
    cause === undefined ? {} : { cause },
  )
}

function retryAfterOf(response: Response): number {
  const value = Number(response.headers.get('retry-after'))
  return Number.isFinite(value) && value > 0 ? Math.min(value, 300) : 2
}

function hasCode(error: unknown, code: string): boolean {
  let current = error
  for (let depth = 0; depth < 5 && typeof current === 'object' && current !== null; depth++) {
    if ((current as { code?: unknown }).code === code) return true
    current = (current as { cause?: unknown }).cause
  }
  return false
}
