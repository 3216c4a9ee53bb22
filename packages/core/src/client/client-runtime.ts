import { type ChainRegistry, createChainRegistry } from '../chains/create-chain-registry.js'
import { quote, TollgateError } from '../errors/tollgate-error.js'
import { createMemoryLedger } from '../ledger/create-memory-ledger.js'
import type { Ledger, LedgerHold } from '../ledger/types.js'
import { type CreateSpendingPolicyOptions, createSpendingPolicy } from '../policy/create-spending-policy.js'
import type { SpendingPolicy } from '../policy/types.js'
import type { ExtraCost } from '../scheme/wallet.js'
import type { ClientEvent, CreateClientOptions, PaymentInfo } from './client-types.js'
import { createPassCache, type PassCache } from './pass-cache.js'

/** The policy a client without one pays under: small, and only in USD-pegged assets. @internal */
export const DEFAULT_POLICY = { perCall: '$0.10', budget: '$1' } as const

// How long a request holds a payment in flight before the hold lapses on its own (after a crash).
const HOLD_MS = 15 * 60_000

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
  /** EIP-712 domains read from tokens (`network asset` → domain), for MPP offers the registry cannot sign. */
  readonly tokenDomains: Map<string, { name: string; version: string }>
  /**
   * Unix milliseconds before which no reserved payment of the ledger can be ended by the chain
   * (the earliest `validBefore` of a held authorization); 0 looks at once (at start).
   */
  nextReconcileAt: number
  /** A hold of a payment in flight for one request, lapsing on its own after a crash. */
  holdFor(holder: string): LedgerHold
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
  const given = isPolicy(options.policy) ? options.policy : undefined
  const ledger = options.ledger ?? given?.ledger ?? createMemoryLedger()
  if (given !== undefined && given.ledger !== ledger) {
    throw new TollgateError(
      'config_invalid',
      'The policy keeps its budget in another ledger than `ledger`; pass the same ledger to both.',
    )
  }
  const policy =
    given ??
    createSpendingPolicy({
      registry,
      ...((options.policy as CreateSpendingPolicyOptions | undefined) ?? DEFAULT_POLICY),
      ledger,
    })
  const now = options.now ?? Date.now
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
    ledger,
    fetch: options.fetch ?? globalThis.fetch,
    now,
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
    tokenDomains: new Map(),
    nextReconcileAt: 0,
    holdFor: (holder) => ({ holder, until: now() + HOLD_MS }),
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
