import type { Signature } from '@solana/kit'
import { TollgateError } from '../errors/tollgate-error.js'
import type { ConfirmTransferInput } from '../scheme/wallet.js'
import { decodeBase58Bytes } from './decode-base58-bytes.js'
import type { SolanaWalletRuntime } from './solana-wallet-runtime.js'

type StatusValue = { err: unknown; confirmationStatus: string | null } | null

/**
 * Waits until a transfer reaches the wallet's commitment. A transfer whose blockhash expired
 * without landing is `payment_failed` (it never will land); one still pending at the timeout is
 * `wallet_unavailable` (it may still land).
 * @example await confirmSolanaTransfer(runtime, { requirements, transaction, confirmations: 1, timeoutMs: 30_000 })
 * @throws {TollgateError} `invalid_payload`, `payment_failed`, `wallet_unavailable`
 * @internal
 */
export async function confirmSolanaTransfer(
  runtime: SolanaWalletRuntime,
  input: ConfirmTransferInput,
): Promise<{ hints: Record<string, unknown> }> {
  const { commitment, expiries, pollingIntervalMs } = runtime
  const transaction = input.transaction
  if (decodeBase58Bytes(transaction, 64) === undefined) {
    throw new TollgateError('invalid_payload', 'The transaction is not a base58 Solana signature.')
  }
  const expiry = expiries.get(transaction)
  const giveUpAt = Date.now() + input.timeoutMs
  let lastError: unknown
  for (;;) {
    input.signal?.throwIfAborted()
    const poll = await pollStatus(runtime, transaction, expiry, input.signal)
    if (poll.error !== undefined) lastError = poll.error
    if (reachedCommitment(poll.status, transaction, commitment)) return { hints: {} }
    if (poll.status === null && expiry !== undefined && poll.height !== undefined && poll.height > expiry) {
      // Its blockhash expired: look once more, across history, before calling it lost.
      await assertInHistory(runtime, transaction, input.signal)
      continue
    }
    const remaining = giveUpAt - Date.now()
    if (remaining <= 0) {
      throw new TollgateError(
        'wallet_unavailable',
        `Transaction ${transaction} was not ${commitment} within ${input.timeoutMs} ms; it may still land.`,
        {
          retryAfter: 2,
          details: { transaction },
          ...(lastError === undefined ? {} : { cause: lastError }),
        },
      )
    }
    await sleep(Math.min(pollingIntervalMs, remaining), input.signal)
  }
}

async function pollStatus(
  runtime: SolanaWalletRuntime,
  transaction: string,
  expiry: bigint | undefined,
  signal: AbortSignal | undefined,
): Promise<{ status: StatusValue | undefined; height: bigint | undefined; error?: unknown }> {
  const { rpc, commitment, call } = runtime
  try {
    const [statuses, height] = await Promise.all([
      call(rpc.getSignatureStatuses([transaction as Signature]), signal),
      expiry === undefined ? undefined : call(rpc.getBlockHeight({ commitment }), signal),
    ])
    return { status: statuses.value[0] ?? null, height }
  } catch (error) {
    signal?.throwIfAborted()
    return { status: undefined, height: undefined, error }
  }
}

function reachedCommitment(
  status: StatusValue | undefined,
  transaction: string,
  commitment: string,
): boolean {
  if (status === undefined || status === null) return false
  if (status.err !== null) {
    throw new TollgateError('payment_failed', `Transaction ${transaction} failed on chain.`, {
      details: { transaction, error: boundedJson(status.err) },
    })
  }
  return (
    status.confirmationStatus === 'finalized' ||
    (commitment === 'confirmed' && status.confirmationStatus === 'confirmed')
  )
}

async function assertInHistory(
  runtime: SolanaWalletRuntime,
  transaction: string,
  signal: AbortSignal | undefined,
): Promise<void> {
  const again = await runtime.call(
    runtime.rpc.getSignatureStatuses([transaction as Signature], { searchTransactionHistory: true }),
    signal,
  )
  if (again.value[0] === null || again.value[0] === undefined) {
    throw new TollgateError(
      'payment_failed',
      `Transaction ${transaction} expired without landing; nothing was paid.`,
      {
        details: { transaction, reason: 'expired' },
      },
    )
  }
}

function boundedJson(value: unknown): string {
  const text =
    JSON.stringify(value, (_key, entry) => (typeof entry === 'bigint' ? entry.toString() : entry)) ??
    String(value)
  return text.length > 200 ? `${text.slice(0, 200)}…` : text
}

function sleep(milliseconds: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', abort)
      resolve()
    }, milliseconds)
    const abort = () => {
      clearTimeout(timer)
      reject(signal?.reason)
    }
    signal?.addEventListener('abort', abort, { once: true })
  })
}
