import { type ChainRegistry, createChainRegistry } from '../chains/create-chain-registry.js'
import { quote, TollgateError } from '../errors/tollgate-error.js'
import { createMemoryLedger } from '../ledger/create-memory-ledger.js'
import type { Ledger } from '../ledger/types.js'
import { createSpendingPolicy } from '../policy/create-spending-policy.js'
import type { Reservation, SpendingPolicy } from '../policy/types.js'
import type { ExtraCost } from '../scheme/wallet.js'
import type { ClientEvent, CreateClientOptions, PaymentInfo } from './client-types.js'
import { createPassCache, type PassCache } from './pass-cache.js'
import type { PaymentSession } from './payment-session.js'

/** The policy a client without one pays under: small, and only in USD-pegged assets. @internal */
export const DEFAULT_POLICY = { perCall: '$0.10', budget: '$1' } as const

/** An `exact` authorization whose outcome is unknown: it may still settle until `validBefore`. @internal */
export type UnsettledAuthorization = {
  session: PaymentSession
  /** `authorization.from`. */
  authorizer: string
  /** `authorization.nonce`. */
  nonce: string
  /** Unix seconds. */
  validBefore: number
}

/** Everything one client's steps share: configuration, policy, ledger and in-flight state. @internal */
export type ClientRuntime = {
  readonly options: CreateClientOptions
  readonly registry: ChainRegistry
  readonly policy: SpendingPolicy
  /** Whether `policy` is {@link DEFAULT_POLICY}, so refusals name the option that raises it. */
  readonly defaultPolicy: boolean
  readonly ledger: Ledger
  readonly fetch: typeof fetch
  readonly now: () => number
  readonly retry: { maxRetries: number; baseDelayMs: number; maxDelayMs: number }
  readonly maxProofAttempts: number
  readonly confirmationTimeoutMs: number
  readonly maxAuthorizationSeconds: number
  readonly passes: PassCache
  readonly payments: WeakMap<Response, PaymentInfo>
  /** Reservations of payments whose money may still move, by payment id: reused, never paid twice. */
  readonly open: Map<string, Reservation>
  /** `exact` authorizations that were refused, lost or unanswered, by payment id. */
  readonly unsettled: Map<string, UnsettledAuthorization>
  /** Payments some request of this client is working on: never reused by another meanwhile. */
  readonly inFlight: Set<string>
  /** Past spend read back from the ledger, once. */
  restored: Promise<void> | undefined
  /** Finding and taking a reusable payment happens one request at a time. */
  reuseQueue: Promise<unknown>
  emit(event: ClientEvent): void
  approveExtraCost(cost: ExtraCost): Promise<boolean>
}

/**
 * Builds the runtime record of a client from its options, with every default applied.
 * @example const runtime = createClientRuntime({ wallets: [wallet] })
 * @throws {TollgateError} `config_invalid` for invalid policy options
 * @internal
 */
export function createClientRuntime(options: CreateClientOptions): ClientRuntime {
  const registry = options.registry ?? createChainRegistry()
  const defaultPolicy = options.policy === undefined
  const policy = isPolicy(options.policy)
    ? options.policy
    : createSpendingPolicy({ registry, ...(options.policy ?? DEFAULT_POLICY) })
  const maxAuthorizationSeconds = options.maxAuthorizationSeconds ?? 120
  // Below ~10 s a settlement cannot land in time (gates ask for 6 s of margin).
  if (!Number.isInteger(maxAuthorizationSeconds) || maxAuthorizationSeconds < 10) {
    throw new TollgateError(
      'config_invalid',
      `maxAuthorizationSeconds must be an integer of at least 10, got ${quote(String(maxAuthorizationSeconds))}.`,
    )
  }
  return {
    options,
    registry,
    policy,
    defaultPolicy,
    ledger: options.ledger ?? createMemoryLedger(),
    fetch: options.fetch ?? globalThis.fetch,
    now: options.now ?? Date.now,
    retry: {
      maxRetries: options.retry?.maxRetries ?? 3,
      baseDelayMs: options.retry?.baseDelayMs ?? 250,
      maxDelayMs: options.retry?.maxDelayMs ?? 10_000,
    },
    maxProofAttempts: options.maxProofAttempts ?? 3,
    confirmationTimeoutMs: options.confirmationTimeoutMs ?? 120_000,
    maxAuthorizationSeconds,
    passes: createPassCache(),
    payments: new WeakMap(),
    open: new Map(),
    unsettled: new Map(),
    inFlight: new Set(),
    restored: undefined,
    reuseQueue: Promise.resolve(),
    emit(event) {
      try {
        options.onEvent?.(event)
      } catch {
        // An observer must never change what is paid.
      }
    },
    async approveExtraCost(cost) {
      try {
        return (await options.approveExtraCost?.(cost)) === true
      } catch {
        return false
      }
    },
  }
}

function isPolicy(value: unknown): value is SpendingPolicy {
  return (
    typeof value === 'object' && value !== null && typeof (value as SpendingPolicy).reserve === 'function'
  )
}
