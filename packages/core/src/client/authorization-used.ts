import type { PaymentSession } from './payment-session.js'

/**
 * Whether a session's EIP-3009 authorization (x402 `exact` or MPP) was used on chain, read through
 * the wallet that signed it; undefined when the chain cannot tell (no reader, no RPC, an error).
 * @example if ((await authorizationUsed(session)) === true) await session.commit('used_on_chain')
 * @internal
 */
export async function authorizationUsed(session: PaymentSession): Promise<boolean | undefined> {
  const { requirements, wallet } = session.candidate
  const authorization = session.payload?.payload.authorization as
    | { from?: unknown; nonce?: unknown }
    | undefined
  if (typeof authorization?.from !== 'string' || typeof authorization.nonce !== 'string') return undefined
  if (wallet.authorizationState === undefined) return undefined
  try {
    const state = await wallet.authorizationState({
      network: requirements.network,
      asset: requirements.asset,
      authorizer: authorization.from,
      nonce: authorization.nonce,
    })
    return state.used
  } catch {
    return undefined
  }
}
