import type { ChainRegistry } from '../chains/create-chain-registry.js'
import { createChainRegistry } from '../chains/create-chain-registry.js'
import type { AssetInfo } from '../chains/types.js'
import { quote, TollgateError } from '../errors/tollgate-error.js'
import { readBodyText } from '../protocol/read-body-text.js'
import { paymentPayloadSchema, paymentRequirementsSchema } from '../protocol/schemas.js'
import type { PaymentRequirements } from '../protocol/types.js'
import type { ExactInput, ExactScheme } from '../scheme/types.js'
import type { SupportedResponse } from './facilitator-schemas.js'

/** A scheme a facilitator serves; `signers` (the settling addresses) are listed in `/supported`. */
export type FacilitatorScheme = ExactScheme & {
  /** Addresses that send settlements, such as `createEvmExactScheme`'s settler. */
  readonly signers?: readonly string[]
}

/** Options of {@link createFacilitator}. */
export type CreateFacilitatorOptions = {
  /** The `exact` scheme of each network served, keyed by CAIP-2 id: `{ 'eip155:8453': createEvmExactScheme(…) }`. */
  schemes: Readonly<Record<string, FacilitatorScheme>>
  /**
   * The assets payments may be made in: only tokens of this registry (by address) are verified and
   * settled, so the settler never pays gas for an arbitrary contract. Default the built-in registry.
   */
  registry?: ChainRegistry
  /** Largest accepted request body, in bytes. Default 65536. */
  maxBodyBytes?: number
}

/** An x402 v2 facilitator as a web-standard request handler. */
export type Facilitator = {
  /** Serves `POST …/verify`, `POST …/settle` and `GET …/supported` (any path prefix); anything else is a 404. */
  fetch(request: Request): Promise<Response>
}

type Verdict = { status: number; body: Record<string, unknown>; retryAfter?: number }

/**
 * Creates an x402 v2 facilitator: the HTTP API the official `HTTPFacilitatorClient` (and
 * `createFacilitatorClient`) speaks, around Tollgate's `exact` schemes. Payment failures are answered
 * with HTTP 200 and `isValid: false` / `success: false` plus a reason code, as x402 facilitators do;
 * a malformed request is a 400 and a node that cannot be reached a 503 with `Retry-After`. A
 * settlement broadcast but not confirmed in time answers `success: false`, `errorReason:
 * "settlement_pending"` with its `transaction` and a `Retry-After` header (as does
 * `settler_unfunded`, without a transaction).
 *
 * It refuses to settle one authorization twice at once: a per-process in-flight set, keyed like
 * `identify().key`, answers a concurrent duplicate `/settle` with `payment_in_progress`, and the
 * token's on-chain nonce stops any later one.
 *
 * @example
 * const facilitator = createFacilitator({
 *   schemes: { 'eip155:8453': createEvmExactScheme({ rpcUrl, chainId: 8453, settler }) },
 * })
 * Bun.serve({ fetch: facilitator.fetch }) // or any server that speaks Request/Response
 * @throws {TollgateError} `network_unknown` for a scheme keyed by a network the registry does not know
 */
export function createFacilitator(options: CreateFacilitatorOptions): Facilitator {
  const registry = options.registry ?? createChainRegistry()
  const maxBodyBytes = options.maxBodyBytes ?? 65_536
  const schemes = new Map(Object.entries(options.schemes))
  for (const network of schemes.keys()) registry.chain(network)
  const inFlight = new Set<string>()

  const supported = (): SupportedResponse => {
    const signers: Record<string, string[]> = {}
    for (const [network, scheme] of schemes) {
      const family = `${network.split(':')[0]}:*`
      const list = signers[family] ?? []
      signers[family] = list
      for (const signer of scheme.signers ?? []) if (!list.includes(signer)) list.push(signer)
    }
    return {
      kinds: [...schemes.keys()].map((network) => ({ x402Version: 2, scheme: 'exact', network })),
      extensions: [],
      signers,
    }
  }

  // Reads and checks a /verify or /settle body; a TollgateError here is the requester's fault.
  const readRequest = async (request: Request): Promise<{ scheme: FacilitatorScheme; input: ExactInput }> => {
    const text = await readBodyText(request.body, maxBodyBytes).catch(() => undefined)
    if (text === undefined)
      throw new TollgateError(
        'invalid_payload',
        `The request body is unreadable or larger than ${maxBodyBytes} bytes.`,
      )
    const { payload, wanted, accepted } = parseRequestBody(text)
    const scheme = schemes.get(wanted.network)
    if (scheme === undefined || accepted.network !== wanted.network) {
      throw new TollgateError('invalid_network', `Network ${quote(wanted.network)} is not served here.`)
    }
    const asset = findToken(registry, wanted)
    return { scheme, input: { payload, requirements: wanted, asset } }
  }

  const verify = async (request: Request): Promise<Verdict> => {
    let payer: string | undefined
    try {
      const { scheme, input } = await readRequest(request)
      payer = safePayer(scheme, input)
      const verified = await scheme.verify(input)
      return { status: 200, body: { isValid: true, payer: verified.payer } }
    } catch (error) {
      const failure = asFailure(error)
      return {
        status: statusFor(failure),
        body: {
          isValid: false,
          invalidReason: failure.code,
          invalidMessage: failure.message,
          ...(payer === undefined ? {} : { payer }),
        },
        ...retryAfter(failure),
      }
    }
  }

  const settle = async (request: Request): Promise<Verdict> => {
    let payer: string | undefined
    let network = ''
    let key: string | undefined
    try {
      const { scheme, input } = await readRequest(request)
      network = input.requirements.network
      const identity = scheme.identify(input)
      payer = identity.payer
      const claim = `${network}:${identity.key}`
      if (inFlight.has(claim)) {
        throw new TollgateError('payment_in_progress', 'This authorization is being settled already.')
      }
      inFlight.add(claim)
      key = claim
      const settled = await scheme.settle(input)
      return {
        status: 200,
        body: { success: true, transaction: settled.transaction, network, payer: settled.payer },
      }
    } catch (error) {
      const failure = asFailure(error)
      const transaction = typeof failure.details?.transaction === 'string' ? failure.details.transaction : ''
      return {
        status: statusFor(failure),
        body: {
          success: false,
          errorReason: failure.code,
          errorMessage: failure.message,
          transaction,
          network,
          ...(payer === undefined ? {} : { payer }),
        },
        ...retryAfter(failure),
      }
    } finally {
      if (key !== undefined) inFlight.delete(key)
    }
  }

  return {
    async fetch(request) {
      const path = new URL(request.url).pathname.replace(/\/+$/, '')
      const endpoint = path.slice(path.lastIndexOf('/') + 1)
      const method = endpoint === 'supported' ? 'GET' : 'POST'
      if (endpoint !== 'verify' && endpoint !== 'settle' && endpoint !== 'supported')
        return json(404, { error: 'not_found', message: 'Try POST /verify, POST /settle or GET /supported.' })
      if (request.method !== method && !(method === 'GET' && request.method === 'HEAD'))
        return json(405, { error: 'method_not_allowed', message: `Use ${method}.` }, { allow: method })
      if (endpoint === 'supported') return json(200, supported())
      const verdict = endpoint === 'verify' ? await verify(request) : await settle(request)
      return json(
        verdict.status,
        verdict.body,
        verdict.retryAfter === undefined ? {} : { 'retry-after': String(verdict.retryAfter) },
      )
    },
  }
}

// The asset must be a token this facilitator knows, named by address (not by symbol).
function findToken(registry: ChainRegistry, requirements: PaymentRequirements): AssetInfo {
  const asset = /^0x[0-9a-fA-F]{40}$/.test(requirements.asset)
    ? registry.findAsset(requirements.network, requirements.asset)
    : undefined
  if (asset === undefined || asset.address.toLowerCase() !== requirements.asset.toLowerCase()) {
    throw new TollgateError(
      'asset_unknown',
      `Asset ${quote(requirements.asset)} on ${requirements.network} is not settled by this facilitator.`,
    )
  }
  return asset
}

function safePayer(scheme: ExactScheme, input: ExactInput): string | undefined {
  try {
    return scheme.identify(input).payer
  } catch {
    return undefined
  }
}

function asFailure(error: unknown): TollgateError {
  if (TollgateError.is(error)) return error
  return new TollgateError('internal_error', 'The facilitator failed unexpectedly.', { cause: error })
}

// Verdicts on a payment are answers (200); only "try again later" and "you sent garbage" are not.
function statusFor(error: TollgateError): number {
  if (error.code === 'rpc_unavailable') return 503
  if (error.code === 'internal_error') return 500
  if (['invalid_payload', 'invalid_payment_requirements', 'invalid_x402_version'].includes(error.code))
    return 400
  return 200
}

function retryAfter(error: TollgateError): { retryAfter?: number } {
  if (!['rpc_unavailable', 'settlement_pending', 'settler_unfunded'].includes(error.code)) return {}
  return { retryAfter: Math.max(1, Math.ceil(error.retryAfter ?? 2)) }
}

function json(status: number, body: unknown, headers: Record<string, string> = {}): Response {
  return new Response(
    JSON.stringify(body, (_key, value) => (typeof value === 'bigint' ? value.toString() : value)),
    {
      status,
      headers: { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store', ...headers },
    },
  )
}

// Checks a /verify or /settle body: JSON, x402 version 2, well-formed payload and requirements, `exact`.
function parseRequestBody(text: string): {
  payload: ExactInput['payload']
  wanted: PaymentRequirements
  accepted: PaymentRequirements
} {
  let json: unknown
  try {
    json = JSON.parse(text)
  } catch {
    throw new TollgateError('invalid_payload', 'The request body is not JSON.')
  }
  const body = (typeof json === 'object' && json !== null ? json : {}) as Record<string, unknown>
  const payloadVersion = (body.paymentPayload as { x402Version?: unknown } | undefined)?.x402Version
  if (body.x402Version !== 2 || payloadVersion !== 2) {
    throw new TollgateError(
      'invalid_x402_version',
      `Only x402 version 2 is served; got ${quote(body.x402Version ?? payloadVersion)}.`,
    )
  }
  const payload = paymentPayloadSchema.safeParse(body.paymentPayload)
  const requirements = paymentRequirementsSchema.safeParse(body.paymentRequirements)
  if (!payload.success || !requirements.success) {
    throw new TollgateError(
      payload.success ? 'invalid_payment_requirements' : 'invalid_payload',
      payload.success ? 'paymentRequirements is malformed.' : 'paymentPayload is malformed.',
    )
  }
  const wanted = requirements.data as PaymentRequirements
  const accepted = payload.data.accepted as PaymentRequirements
  if (wanted.scheme !== 'exact' || accepted.scheme !== 'exact') {
    throw new TollgateError(
      'unsupported_scheme',
      `Only the "exact" scheme is served; got ${quote(accepted.scheme)} for ${quote(wanted.scheme)}.`,
    )
  }
  return { payload: payload.data.payload, wanted, accepted }
}
