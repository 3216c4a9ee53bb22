import type { SettleResponse } from '../protocol/types.js'
import type { ClientRuntime } from './client-runtime.js'
import type { PaymentInfo } from './client-types.js'
import type { PaymentSession } from './payment-session.js'
import { readPass } from './read-pass.js'

/**
 * The server accepted a payment and served the request: commits its budget, keeps a pass it sold,
 * records it and describes what the response cost.
 * @example const info = await acceptPayment(runtime, session, settle)
 * @throws {TollgateError} `ledger_unavailable`
 * @internal
 */
export async function acceptPayment(
  runtime: ClientRuntime,
  session: PaymentSession,
  settle: SettleResponse | undefined,
): Promise<PaymentInfo> {
  const pass = readPass(settle?.extensions?.pass)
  if (pass !== undefined) runtime.passes.add(pass, session.url)
  const transaction = settle?.transaction || session.transaction
  await session.commit('accepted', transaction)
  await session.record('accepted', {
    ...(transaction ? { transaction } : {}),
    ...(settle?.payer ? { payer: settle.payer } : {}),
    ...(pass ? { pass } : {}),
  })
  const { requirements, asset, amount } = session.candidate
  runtime.emit({
    type: 'payment_accepted',
    url: session.url,
    network: requirements.network,
    ...(transaction ? { transaction } : {}),
    ...(pass ? { pass } : {}),
  })
  return {
    method: 'payment',
    scheme: requirements.scheme,
    network: requirements.network,
    asset: requirements.asset,
    symbol: asset.symbol,
    amount: amount.toString(),
    display: session.display(),
    ...(transaction ? { transaction } : {}),
    ...(pass ? { pass } : {}),
    ...(session.reused ? { reused: true } : {}),
  }
}
