import type { Address } from 'viem'
import { z } from 'zod'
import { quote, TollgateError } from '../errors/tollgate-error.js'
import { decodeTryCall } from './decode-try-call.js'
import { malformed } from './exact-calls.js'
import type { ExactPayload } from './parse-exact-payload.js'

const ERC1271_MAGIC = '0x1626ba7e'
const codeSchema = z.string().regex(/^0x(?:[0-9a-fA-F]{2})*$/)

/** The payer lane of a token and payer (see `createPayerLanes`). @internal */
export function laneOf(token: Address, from: Address): string {
  return `${token}:${from}`.toLowerCase()
}

/**
 * The token's EIP-712 domain must be the one the payer was told to sign.
 * @internal
 * @throws {TollgateError} `invalid_exact_evm_token_name_mismatch`, `invalid_exact_evm_token_version_mismatch`
 */
export function checkTokenDomain(
  actual: { name: string; version: string },
  name: string,
  version: string,
): void {
  if (actual.name !== name) {
    throw new TollgateError(
      'invalid_exact_evm_token_name_mismatch',
      `The token's EIP-712 name is ${quote(actual.name)}, not ${quote(name)}.`,
      { details: { expected: name, actual: actual.name } },
    )
  }
  if (actual.version !== version) {
    throw new TollgateError(
      'invalid_exact_evm_token_version_mismatch',
      `The token's EIP-712 version is ${quote(actual.version)}, not ${quote(version)}.`,
      { details: { expected: version, actual: actual.version } },
    )
  }
}

/**
 * A signature that is not the payer's ECDSA one must satisfy ERC-1271 on a deployed contract.
 * @internal
 * @throws {TollgateError} `invalid_exact_evm_payload_signature`,
 * `invalid_exact_evm_payload_undeployed_smart_wallet`, `rpc_unavailable` (a malformed `eth_getCode`)
 */
export function checkContractSignature(
  rawCode: unknown,
  rawAnswer: unknown,
  payload: ExactPayload,
  chainId: number,
): void {
  const from = payload.authorization.from
  const code = codeSchema.safeParse(rawCode)
  if (!code.success) throw malformed('eth_getCode')
  if (code.data === '0x') {
    if (payload.signature.length !== 132) {
      throw new TollgateError(
        'invalid_exact_evm_payload_undeployed_smart_wallet',
        `The payer ${from} signed like a smart wallet but has no code on chain ${chainId}.`,
      )
    }
    throw invalidSignature(from)
  }
  const answer = decodeTryCall(rawAnswer, 'isValidSignature')
  if (!answer.success || answer.data.slice(0, 10).toLowerCase() !== ERC1271_MAGIC)
    throw invalidSignature(from)
}

/**
 * The balance must cover this authorization on top of what pending settlements of the payer hold.
 * @internal
 * @throws {TollgateError} `insufficient_funds`
 */
export function assertAffordable(balance: unknown, value: bigint, held: bigint): void {
  if (typeof balance === 'bigint' && balance - held >= value) return
  throw new TollgateError(
    'insufficient_funds',
    held === 0n
      ? `The payer holds ${String(balance)} atomic units; the authorization transfers ${value}.`
      : `The payer holds ${String(balance)} atomic units, ${held} of them for pending settlements; the authorization transfers ${value}.`,
    { details: { balance, required: value, ...(held === 0n ? {} : { held }) } },
  )
}

/**
 * Refuses to settle for a request that was aborted.
 * @internal
 * @throws {TollgateError} `settlement_failed` with `details.settled === false`
 */
export function assertNotAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) {
    throw new TollgateError('settlement_failed', 'The request was aborted before settlement.', {
      cause: signal.reason,
      details: { settled: false },
    })
  }
}

/**
 * A simulation kept from `verify` serves `settle` while fresh and while nothing of this payer was
 * broadcast since it and no pending settlement of this payer holds any of the balance.
 * @internal
 */
export function isReusable(
  keptAt: number,
  nowMs: number,
  simulationMaxAgeMs: number,
  lastBroadcast: number | undefined,
  held: bigint,
): boolean {
  return (
    nowMs - keptAt <= simulationMaxAgeMs &&
    (lastBroadcast === undefined || lastBroadcast < keptAt) &&
    held === 0n
  )
}

function invalidSignature(from: Address): TollgateError {
  return new TollgateError(
    'invalid_exact_evm_payload_signature',
    `The authorization is not signed by its payer ${from}.`,
    { details: { payer: from } },
  )
}
