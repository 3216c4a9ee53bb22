import { TollgateError, toTollgateError } from '../errors/tollgate-error.js'
import type { ClientRuntime } from './client-runtime.js'
import type { ClientFetchOptions } from './client-types.js'
import type { PaymentSession } from './payment-session.js'
import { proveTx } from './prove-tx.js'

/**
 * Pays a `tx` requirement: reuses a transfer that already left for this recipient and was never
 * credited, or reserves budget, signs, records the transfer's id and only then sends it; waits for
 * its confirmations and proves it. The budget is released only when the transfer provably did not
 * move money (never signed, refused by the node, reverted).
 * @example await payTx(runtime, session, { signal })
 * @throws {TollgateError} `policy_*`, `wallet_*`, `payment_failed`, `rpc_unavailable` (kept: it may still land)
 * @internal
 */
export async function payTx(
  runtime: ClientRuntime,
  session: PaymentSession,
  options: ClientFetchOptions & { signal?: AbortSignal | undefined },
): Promise<void> {
  const { requirements, wallet } = session.candidate
  if (wallet.sendTransfer === undefined || wallet.confirmTransfer === undefined) {
    throw new TollgateError('wallet_unavailable', 'The wallet cannot send transfers.')
  }
  // Found and held for this request in one step: no other request, client or process takes it.
  const reused = await runtime.ledger.findUnusedTransfer({
    scheme: 'tx',
    network: requirements.network,
    asset: requirements.asset,
    payTo: requirements.payTo,
    minAmount: session.candidate.amount,
    // Only this request's transfer (or one recorded before requests were): never another's answer.
    request: session.request,
    take: runtime.holdFor(session.holder),
    now: runtime.now(),
  })
  if (reused?.transaction !== undefined) {
    // Money already left for this recipient and was never credited: prove it again, never pay twice.
    session.adopt(reused)
    runtime.emit({
      type: 'transfer_reused',
      url: session.url,
      network: requirements.network,
      transaction: reused.transaction,
    })
  } else {
    await session.reserve(options)
    await send(runtime, session, options.signal)
  }
  await confirm(runtime, session, options.signal)
  await proveTx(session, requirements)
}

async function send(runtime: ClientRuntime, session: PaymentSession, signal?: AbortSignal): Promise<void> {
  const { requirements, wallet, asset } = session.candidate
  const sendTransfer = wallet.sendTransfer as NonNullable<typeof wallet.sendTransfer>
  const base = { paymentId: session.id, url: session.url, scheme: 'tx', network: requirements.network }
  const money = { asset: requirements.asset, amount: session.candidate.amount }
  try {
    const sent = await sendTransfer({
      requirements,
      asset,
      approveExtraCost: runtime.approveExtraCost,
      // Recorded before it can exist: a crash or a lost send after this finds it again.
      onSigned: async ({ transaction, raw }) => {
        session.transaction = transaction
        session.raw = raw
        await session.record('broadcast', { transaction, ...(raw === undefined ? {} : { payload: { raw } }) })
        runtime.emit({ type: 'signed', ...base, ...money, transaction })
      },
      ...(signal ? { signal } : {}),
    })
    session.transaction = sent.transaction
  } catch (error) {
    const failure = toTollgateError(error, 'payment_failed')
    // Unsigned, or refused by the node: nothing was sent. Anything else may have been sent: kept.
    if (session.transaction === undefined) await session.release('not_signed', failure.code)
    else if (failure.code === 'payment_failed' || failure.code === 'wallet_insufficient_funds')
      await session.release('not_sent', failure.code)
    throw failure
  }
  runtime.emit({ type: 'broadcast', ...base, ...money, transaction: session.transaction })
  runtime.emit({
    type: 'transfer_sent',
    url: session.url,
    network: requirements.network,
    transaction: session.transaction,
    display: session.display(),
  })
}

async function confirm(runtime: ClientRuntime, session: PaymentSession, signal?: AbortSignal): Promise<void> {
  const { requirements, wallet } = session.candidate
  const transaction = session.transaction as string
  const confirmations =
    typeof requirements.extra.confirmations === 'number' ? requirements.extra.confirmations : 1
  try {
    const confirmed = await (wallet.confirmTransfer as NonNullable<typeof wallet.confirmTransfer>)({
      requirements,
      transaction,
      confirmations: Math.min(Math.max(1, confirmations), 1000),
      timeoutMs: runtime.confirmationTimeoutMs,
      ...(session.raw === undefined ? {} : { raw: session.raw }),
      ...(signal ? { signal } : {}),
    })
    session.hints = confirmed.hints
  } catch (error) {
    const failure = toTollgateError(error, 'payment_failed')
    // Reverted (or expired unlanded): no tokens moved, so the budget is freed; gas is the only loss.
    if (failure.code === 'payment_failed') await session.release('reverted', failure.code)
    throw failure
  }
  await session.commit('confirmed')
  await session.record('confirmed', { transaction, hints: session.hints })
  runtime.emit({ type: 'transfer_confirmed', url: session.url, network: requirements.network, transaction })
}
