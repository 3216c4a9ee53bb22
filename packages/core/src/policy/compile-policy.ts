import { type ChainRegistry, createChainRegistry } from '../chains/create-chain-registry.js'
import { isNetwork } from '../chains/is-network.js'
import { quote, TollgateError } from '../errors/tollgate-error.js'
import { createMemoryLedger } from '../ledger/create-memory-ledger.js'
import type { Ledger } from '../ledger/types.js'
import { assertIntegerOption } from '../token/assert-integer-option.js'
import { compileLimit, type LimitLine } from './compile-limit.js'
import { createDomainMatcher } from './create-domain-matcher.js'
import type { CreateSpendingPolicyOptions } from './create-spending-policy.js'
import type { PolicyRateLimit } from './types.js'

/** A spending policy's options, validated and compiled: the runtime record its steps share. @internal */
export type PolicyRuntime = {
  options: CreateSpendingPolicyOptions
  registry: ChainRegistry
  ledger: Ledger
  /** The clock, refusing a non-finite answer. */
  now: () => number
  budgets: LimitLine[] | undefined
  perCall: LimitLine[] | undefined
  approvalLine: LimitLine | undefined
  /** The budget window; undefined for a lifetime budget. */
  windowMs: number | undefined
  rateLimit: PolicyRateLimit | undefined
  expiresAtMs: number | undefined
  domainAllowed: ((url: string) => boolean) | undefined
  networks: Set<string> | undefined
  assets: readonly string[] | undefined
}

const MAX_SECONDS = 3_153_600_000

/**
 * Validates and compiles the options of `createSpendingPolicy` once, so every payment is checked
 * against ready limit lines.
 *
 * @example const runtime = compilePolicy({ budget: '$5', window: { seconds: 86_400 } })
 * @throws {TollgateError} `config_invalid` for an invalid option
 * @internal
 */
export function compilePolicy(options: CreateSpendingPolicyOptions): PolicyRuntime {
  const registry = options.registry ?? createChainRegistry()
  const clock = options.now ?? Date.now
  // A clock returning NaN would make every expiry and window comparison pass: refuse it.
  const now = (): number => {
    const milliseconds = clock()
    if (typeof milliseconds !== 'number' || !Number.isFinite(milliseconds)) {
      throw new TollgateError(
        'config_invalid',
        `The clock returned ${quote(String(milliseconds))}; \`now\` must return unix milliseconds.`,
      )
    }
    return milliseconds
  }
  const ledger = options.ledger ?? createMemoryLedger()
  if (typeof ledger?.reserve !== 'function' || typeof ledger.commit !== 'function') {
    throw new TollgateError('config_invalid', '`ledger` must be a Ledger with reserve, commit and release.')
  }
  return {
    options,
    registry,
    ledger,
    now,
    budgets: compileLimits(options.budget, 'budget', registry),
    perCall: compileLimits(options.perCall, 'perCall', registry),
    approvalLine:
      options.requireApprovalAbove === undefined
        ? undefined
        : compileLimit(options.requireApprovalAbove, { registry, option: 'requireApprovalAbove' }),
    windowMs: windowMilliseconds(options.window),
    rateLimit: validateRateLimit(options.rateLimit),
    expiresAtMs: expiryMilliseconds(options, now()),
    domainAllowed:
      options.allowedDomains === undefined ? undefined : createDomainMatcher(options.allowedDomains),
    networks: validateNetworks(options.networks),
    assets: validateAssets(options.assets),
  }
}

function compileLimits(
  money: CreateSpendingPolicyOptions['budget'],
  option: string,
  registry: ChainRegistry,
): LimitLine[] | undefined {
  if (money === undefined) return undefined
  const list = Array.isArray(money) ? money : [money]
  if (list.length === 0) {
    throw new TollgateError('config_invalid', `\`${option}\` is an empty list; leave it out for no limit.`)
  }
  return list.map((entry) => compileLimit(entry, { registry, option }))
}

function windowMilliseconds(window: CreateSpendingPolicyOptions['window']): number | undefined {
  if (window === undefined || window === 'lifetime') return undefined
  if (typeof window !== 'object' || window === null) {
    throw new TollgateError(
      'config_invalid',
      `\`window\` must be 'lifetime' or { seconds }, got ${quote(window)}.`,
    )
  }
  assertIntegerOption('window.seconds', window.seconds, 1, MAX_SECONDS)
  return window.seconds * 1000
}

function validateRateLimit(rateLimit: PolicyRateLimit | undefined): PolicyRateLimit | undefined {
  if (rateLimit === undefined) return undefined
  assertIntegerOption('rateLimit.payments', rateLimit?.payments, 1, 1_000_000_000)
  assertIntegerOption('rateLimit.perSeconds', rateLimit.perSeconds, 1, MAX_SECONDS)
  return { payments: rateLimit.payments, perSeconds: rateLimit.perSeconds }
}

function expiryMilliseconds(
  options: Pick<CreateSpendingPolicyOptions, 'expiresAt' | 'expiresIn'>,
  createdAt: number,
): number | undefined {
  const candidates: number[] = []
  if (options.expiresAt !== undefined) {
    const milliseconds =
      options.expiresAt instanceof Date ? options.expiresAt.getTime() : Number(options.expiresAt) * 1000
    if (typeof options.expiresAt === 'string' || !Number.isFinite(milliseconds) || milliseconds < 0) {
      throw new TollgateError(
        'config_invalid',
        `\`expiresAt\` must be unix seconds or a valid Date, got ${quote(String(options.expiresAt))}.`,
      )
    }
    candidates.push(milliseconds)
  }
  if (options.expiresIn !== undefined) {
    if (
      typeof options.expiresIn !== 'number' ||
      !Number.isFinite(options.expiresIn) ||
      options.expiresIn <= 0
    ) {
      throw new TollgateError(
        'config_invalid',
        `\`expiresIn\` must be a positive number of seconds, got ${quote(options.expiresIn)}.`,
      )
    }
    candidates.push(createdAt + options.expiresIn * 1000)
  }
  // Both given: the earlier one wins, since either alone would already stop payments.
  return candidates.length === 0 ? undefined : Math.min(...candidates)
}

function validateNetworks(networks: readonly string[] | undefined): Set<string> | undefined {
  if (networks === undefined) return undefined
  if (!Array.isArray(networks)) throw new TollgateError('config_invalid', '`networks` must be an array.')
  for (const network of networks) {
    if (!isNetwork(network)) {
      throw new TollgateError('config_invalid', `\`networks\` entry ${quote(network)} is not a CAIP-2 id.`)
    }
  }
  return new Set(networks)
}

function validateAssets(assets: readonly string[] | undefined): readonly string[] | undefined {
  if (assets === undefined) return undefined
  if (!Array.isArray(assets)) throw new TollgateError('config_invalid', '`assets` must be an array.')
  for (const asset of assets) {
    if (typeof asset !== 'string' || asset.length === 0 || asset.length > 128) {
      throw new TollgateError(
        'config_invalid',
        `\`assets\` entry ${quote(asset)} must be an address, mint, symbol or "native".`,
      )
    }
  }
  return [...assets]
}
