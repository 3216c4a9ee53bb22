import type { ChainRegistry } from '../chains/create-chain-registry.js'
import { createChainRegistry } from '../chains/create-chain-registry.js'
import type { Network } from '../chains/types.js'
import { bazaarBudget, type CompiledDiscovery, compileDiscovery } from '../discovery/compile-discovery.js'
import { quote, TollgateError } from '../errors/tollgate-error.js'
import { createKeyring, type Keyring } from '../keyring/create-keyring.js'
import { DEFAULT_MAX_HEADER_BYTES } from '../protocol/headers.js'
import type { PaymentNetwork } from '../scheme/types.js'
import { createMemoryStore } from '../store/memory-store.js'
import type { Store } from '../store/types.js'
import { type CompiledRoute, compileRoutes } from './compile-routes.js'
import type { OfferContext } from './offers.js'
import { parsePublicUrl } from './parse-public-url.js'
import type { CreateGateOptions, GateHooks, GateLogger } from './types.js'
import { createVerifiedPasses, type VerifiedPasses } from './verified-passes.js'

/**
 * Everything a gate's steps share, fixed when the gate is created. Each step is a function of this
 * record and one request.
 * @internal
 */
export type GateRuntime = {
  options: CreateGateOptions
  registry: ChainRegistry
  store: Store
  keyring: Keyring
  /** Clock in milliseconds. */
  now: () => number
  /** How old a `tx` payment may be, in seconds. */
  windowSeconds: number
  /** Tolerated clock difference, in seconds. */
  skewSeconds: number
  maxHeaderBytes: number
  /** Largest paid body kept for replay, in bytes (`replay.maxBodyBytes`, default 32768). */
  replayMaxBodyBytes: number
  /** How long a spent `tx` proof stays claimed, in seconds. */
  claimTtlSeconds: number
  /** Seconds an in-flight claim lives past its last renewal (`claimLeaseSeconds`, default 10). */
  claimLeaseSeconds: number
  hooks: GateHooks
  /** Where hook failures and configuration warnings go. */
  logger: GateLogger
  /** The configured public origin (`publicUrl`), or undefined to take each request's. */
  origin: string | undefined
  routes: CompiledRoute[]
  networksById: ReadonlyMap<Network, PaymentNetwork>
  offerContext: OfferContext
  /** Tokens whose HMAC and payload were verified once (bounded). */
  verifiedPasses: VerifiedPasses
  /** Discovery settings (the defaults when `discovery` is `false`). */
  discovery: CompiledDiscovery
  /** Whether the gate serves discovery documents and the `bazaar` extension (`discovery` not `false`). */
  discoveryOn: boolean
  /** The protocols spoken (`protocols`, default both). */
  protocols: { x402: boolean; mpp: boolean }
}

/**
 * Validates the gate's options and builds its runtime record.
 * @internal
 * @throws {TollgateError} `config_invalid` when routes, prices, networks or the secret are invalid
 */
export function createGateRuntime(options: CreateGateOptions): GateRuntime {
  const registry = options.registry ?? createChainRegistry()
  const store = options.store ?? createMemoryStore()
  const keyring = toKeyring(options.secret)
  const windowSeconds = options.acceptanceWindowSeconds ?? 3600
  const skewSeconds = options.clockSkewSeconds ?? 30
  if (options.networks.length === 0)
    throw new TollgateError('config_invalid', 'A gate needs at least one network.')
  for (const network of options.networks) registry.chain(network.network)
  const offerContext: OfferContext = {
    registry,
    networks: options.networks,
    payTo: (network) => resolvePayTo(options.payTo, network, registry),
  }
  const maxHeaderBytes = options.maxHeaderBytes ?? DEFAULT_MAX_HEADER_BYTES
  const logger = options.logger ?? defaultLogger
  if (!store.durable) {
    logger.warn(
      'This gate keeps spent payments in a store that does not survive a restart: after one, a spent proof is accepted again. Pass a durable store (Redis, SQLite) in production.',
    )
  }
  return {
    options,
    registry,
    store,
    keyring,
    now: options.now ?? Date.now,
    windowSeconds,
    skewSeconds,
    maxHeaderBytes,
    replayMaxBodyBytes: replayMaxBodyBytes(options.replay?.maxBodyBytes),
    // Spent proofs must outlive the window they could be accepted in (ARCHITECTURE.md G3).
    claimTtlSeconds: windowSeconds + 2 * skewSeconds + 60,
    claimLeaseSeconds: claimLeaseSeconds(options.claimLeaseSeconds),
    hooks: options.hooks ?? {},
    logger,
    origin: options.publicUrl === undefined ? undefined : parsePublicUrl(options.publicUrl),
    // Without discovery no bazaar extension is sent, so none has to fit in a payment header.
    routes: compileRoutes(
      options.routes,
      offerContext,
      options.discovery === false ? Number.POSITIVE_INFINITY : bazaarBudget(maxHeaderBytes),
    ),
    networksById: new Map(options.networks.map((network) => [network.network, network])),
    offerContext,
    verifiedPasses: createVerifiedPasses(),
    discovery: compileDiscovery(options.discovery === false ? {} : options.discovery),
    discoveryOn: options.discovery !== false,
    protocols: resolveProtocols(options.protocols),
  }
}

function resolveProtocols(value: CreateGateOptions['protocols']): GateRuntime['protocols'] {
  if (value === undefined) return { x402: true, mpp: true }
  if (
    !Array.isArray(value) ||
    value.length === 0 ||
    value.some((name) => name !== 'x402' && name !== 'mpp')
  ) {
    throw new TollgateError('config_invalid', `protocols ${quote(value)} must list "x402", "mpp" or both.`)
  }
  return { x402: value.includes('x402'), mpp: value.includes('mpp') }
}

function toKeyring(secret: CreateGateOptions['secret']): Keyring {
  if (typeof secret === 'string' || secret instanceof Uint8Array) return createKeyring(secret)
  if (typeof secret === 'object' && secret !== null) return secret
  throw new TollgateError('config_invalid', 'A gate needs a secret of at least 32 bytes, or a keyring.')
}

function resolvePayTo(
  payTo: CreateGateOptions['payTo'],
  network: PaymentNetwork,
  registry: ChainRegistry,
): string {
  const chain = registry.chain(network.network)
  const value = typeof payTo === 'string' ? payTo : (payTo[network.network] ?? payTo[chain.family])
  const valid = chain.family === 'evm' ? /^0x[0-9a-fA-F]{40}$/ : /^[1-9A-HJ-NP-Za-km-z]{32,44}$/
  if (value === undefined || !valid.test(value)) {
    throw new TollgateError(
      'config_invalid',
      `No valid payTo address for ${network.network}: got ${quote(value)}.`,
      { details: { network: network.network } },
    )
  }
  return value
}

function replayMaxBodyBytes(value: number | undefined): number {
  if (value === undefined) return 32_768
  if (!Number.isSafeInteger(value) || value < 0) {
    throw new TollgateError(
      'config_invalid',
      `replay.maxBodyBytes ${quote(value)} is not a whole number of bytes.`,
    )
  }
  return value
}

function claimLeaseSeconds(value: number | undefined): number {
  if (value === undefined) return 10
  if (!Number.isFinite(value) || value < 1) {
    throw new TollgateError('config_invalid', `claimLeaseSeconds ${quote(value)} is not at least 1 second.`)
  }
  return value
}

const defaultLogger: GateLogger = {
  warn: (message, error) => {
    // biome-ignore lint/suspicious/noConsole: the documented default logger
    if (error === undefined) console.warn(message)
    // biome-ignore lint/suspicious/noConsole: the documented default logger
    else console.warn(message, error)
  },
}
