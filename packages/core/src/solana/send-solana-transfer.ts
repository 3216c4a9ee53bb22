import {
  appendTransactionMessageInstructions,
  createTransactionMessage,
  getBase64EncodedWireTransaction,
  getSignatureFromTransaction,
  isSolanaError,
  pipe,
  SOLANA_ERROR__INSTRUCTION_ERROR__CUSTOM,
  SOLANA_ERROR__INSTRUCTION_ERROR__INSUFFICIENT_FUNDS,
  SOLANA_ERROR__JSON_RPC__SERVER_ERROR_SEND_TRANSACTION_PREFLIGHT_FAILURE,
  SOLANA_ERROR__TRANSACTION_ERROR__ACCOUNT_NOT_FOUND,
  SOLANA_ERROR__TRANSACTION_ERROR__INSUFFICIENT_FUNDS_FOR_FEE,
  setTransactionMessageFeePayerSigner,
  setTransactionMessageLifetimeUsingBlockhash,
  signTransactionMessageWithSigners,
} from '@solana/kit'
import type { TollgateErrorCode } from '../errors/error-codes.js'
import { TollgateError } from '../errors/tollgate-error.js'
import type { SendTransferInput } from '../scheme/wallet.js'
import { buildSolanaTransfer } from './build-solana-transfer.js'
import { jsonRpcCode } from './json-rpc-code.js'
import type { SolanaWalletRuntime } from './solana-wallet-runtime.js'

const MAX_REMEMBERED = 1024

/**
 * Builds, signs and sends a `tx` payment. The signature (the transaction's id) goes to
 * `input.onSigned` before the send, so it is recorded before the transfer can exist; a send whose
 * answer was lost reports the id, and `confirmTransfer` finds out whether it landed.
 * @example const { transaction } = await sendSolanaTransfer(runtime, input)
 * @throws {TollgateError} those of {@link buildSolanaTransfer}; `payment_failed` or
 * `wallet_insufficient_funds` when the node refuses it; `wallet_unavailable` when nothing was sent
 * @internal
 */
export async function sendSolanaTransfer(
  runtime: SolanaWalletRuntime,
  input: SendTransferInput,
): Promise<{ transaction: string }> {
  const { signer, rpc, commitment, expiries, timeoutMs } = runtime
  const { signal } = input
  const { instructions, lifetime } = await buildSolanaTransfer(runtime, input)
  signal?.throwIfAborted()
  const message = pipe(
    createTransactionMessage({ version: 0 }),
    (draft) => setTransactionMessageFeePayerSigner(signer, draft),
    (draft) => setTransactionMessageLifetimeUsingBlockhash(lifetime, draft),
    (draft) => appendTransactionMessageInstructions(instructions, draft),
  )
  const transaction = await signTransactionMessageWithSigners(message)
  const signature = getSignatureFromTransaction(transaction)
  remember(expiries, signature, lifetime.lastValidBlockHeight)
  const wire = getBase64EncodedWireTransaction(transaction)
  // The signature is the id: the caller records it before the transfer can exist.
  await input.onSigned?.({ transaction: signature, raw: wire })
  try {
    // Not the caller's signal: once broadcasting starts, the id must reach the caller.
    await rpc
      .sendTransaction(wire, {
        encoding: 'base64',
        preflightCommitment: commitment,
      })
      .send({ abortSignal: AbortSignal.timeout(timeoutMs) })
  } catch (error) {
    if (jsonRpcCode(error) !== undefined) throw refusal(error, signature)
    if (connectionRefused(error)) {
      throw new TollgateError(
        'wallet_unavailable',
        "The wallet's RPC node is unreachable; nothing was sent.",
        {
          retryAfter: 2,
          cause: error,
        },
      )
    }
    // Maybe broadcast: report the id, and let confirmTransfer find out (it lands or expires).
  }
  return { transaction: signature }
}

function remember(expiries: Map<string, bigint>, signature: string, lastValidBlockHeight: bigint): void {
  expiries.set(signature, lastValidBlockHeight)
  if (expiries.size > MAX_REMEMBERED) {
    const oldest = expiries.keys().next().value
    if (oldest !== undefined) expiries.delete(oldest)
  }
}

function connectionRefused(error: unknown): boolean {
  let current: unknown = error
  for (let depth = 0; depth < 4 && typeof current === 'object' && current !== null; depth++) {
    if ((current as { code?: unknown }).code === 'ECONNREFUSED') return true
    current = (current as { cause?: unknown }).cause
  }
  return false
}

/** Maps a node's refusal of a transaction (preflight failure and the like) to a payer-facing error. */
function refusal(error: unknown, signature: string): TollgateError {
  let code: TollgateErrorCode = 'payment_failed'
  const context = isSolanaError(error) ? (error.context as { logs?: unknown }) : {}
  if (isSolanaError(error, SOLANA_ERROR__JSON_RPC__SERVER_ERROR_SEND_TRANSACTION_PREFLIGHT_FAILURE)) {
    const cause = error.cause
    if (
      isSolanaError(cause, SOLANA_ERROR__TRANSACTION_ERROR__INSUFFICIENT_FUNDS_FOR_FEE) ||
      isSolanaError(cause, SOLANA_ERROR__TRANSACTION_ERROR__ACCOUNT_NOT_FOUND) ||
      isSolanaError(cause, SOLANA_ERROR__INSTRUCTION_ERROR__INSUFFICIENT_FUNDS) ||
      // Custom error 1 is InsufficientFunds in the token programs and in the System program.
      (isSolanaError(cause, SOLANA_ERROR__INSTRUCTION_ERROR__CUSTOM) && cause.context.code === 1)
    ) {
      code = 'wallet_insufficient_funds'
    }
  }
  const logs = Array.isArray(context.logs)
    ? context.logs.slice(-5).map((line) => String(line).slice(0, 200))
    : undefined
  return new TollgateError(
    code,
    code === 'wallet_insufficient_funds'
      ? 'The wallet cannot afford the transfer and its fee; nothing was sent.'
      : 'The network refused the transfer before broadcasting it; nothing was sent.',
    {
      cause: error,
      details: {
        transaction: signature,
        rpcError: jsonRpcCode(error),
        ...(logs === undefined ? {} : { logs }),
      },
    },
  )
}
