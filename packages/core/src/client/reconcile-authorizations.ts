import type { ClientRuntime } from './client-runtime.js'

/**
 * Ends the reservations of held `exact` authorizations the chain has decided: used or cancelled on
 * chain counts as spent; unused once the chain's time has passed `validBefore` is released. Ones
 * not yet expired, or whose wallet cannot read the chain, stay reserved.
 * @example await reconcileAuthorizations(runtime)
 * @throws {TollgateError} `ledger_unavailable` when the outcome cannot be recorded
 * @internal
 */
export async function reconcileAuthorizations(runtime: ClientRuntime): Promise<void> {
  const nowSeconds = Math.floor(runtime.now() / 1000)
  for (const held of [...runtime.unsettled.values()]) {
    if (held.validBefore > nowSeconds || runtime.inFlight.has(held.session.id)) continue
    const { requirements, wallet } = held.session.candidate
    if (wallet.authorizationState === undefined) continue
    let state: Awaited<ReturnType<NonNullable<typeof wallet.authorizationState>>>
    try {
      state = await wallet.authorizationState({
        network: requirements.network,
        asset: requirements.asset,
        authorizer: held.authorizer,
        nonce: held.nonce,
      })
    } catch {
      // The chain could not be read: the money may still move, so it stays reserved.
      continue
    }
    if (state.used) {
      held.session.commit('used_on_chain')
      await held.session.record('accepted', { error: 'used_on_chain' })
    } else if (state.chainTime >= held.validBefore) {
      await held.session.release('expired_unused')
    }
  }
}
