import type { RpcCall, RpcRule } from '../../attack/src/start-rpc-proxy.js'
import type { Fault, Kind, Transport } from './matrix.js'
import type { FaultWorld } from './start-fault-world.js'
import type { FrontRequest, FrontRule } from './start-front-proxy.js'

/** A fault set up for one run: whether it fired, and the steps it runs beside the purchase. */
export type ArmedFault = {
  /** Whether the fault took place (a run whose fault never fired proves nothing). */
  fired(): boolean
  /** Steps run beside the purchase (a kill and restart); resolves once they are over. */
  background: Promise<void>
  /** Removes the rules, lets held calls go and routes back to instance 0. */
  disarm(): void
}

/** The request that carries the payment: a `PAYMENT-SIGNATURE` header, or an MCP call with `_meta["x402/payment"]`. */
export function carriesPayment(transport: Transport): (request: FrontRequest) => boolean {
  if (transport === 'express') return (request) => request.headers['payment-signature'] !== undefined
  return (request) => request.path.startsWith('/mcp') && request.body.includes('"x402/payment"')
}

/** A settlement's (or a payer's) transaction send, sync or not. */
export const isSend = (call: RpcCall) =>
  call.method === 'eth_sendRawTransactionSync' || call.method === 'eth_sendRawTransaction'
// The gate's look-up of a `tx` payment: the receipt, batched with the transaction (a wallet's
// confirmation polls batch the receipt with the head only).
const isProofLookup = (call: RpcCall, batch: readonly RpcCall[]) =>
  call.method === 'eth_getTransactionReceipt' &&
  batch.some((entry) => entry.method === 'eth_getTransactionByHash')

/** Settlement receipt look-ups answered "not mined yet" while the fault lasts. */
const LOST_RECEIPTS = 5

/**
 * Sets up `fault` for one run of `kind` over `transport` in the shared proxies. For `exact` and
 * passes the settlement is the gate's `transferWithAuthorization` send; a `tx` payment has no
 * settlement at the gate, so its faults hit the payer's send and the gate's look-up of the proof.
 *
 * @example const armed = armFault(faults, 'exact', 'express', 'kill-9')
 */
export function armFault(faults: FaultWorld, kind: Kind, transport: Transport, fault: Fault): ArmedFault {
  const { front, world } = faults
  const paid = carriesPayment(transport)
  const rpcRules: RpcRule[] = []
  const frontRules: FrontRule[] = []
  const rpc = (...args: Parameters<typeof world.proxy.add>) => {
    const rule = world.proxy.add(...args)
    rpcRules.push(rule)
    return rule
  }
  const frontRule = (...args: Parameters<typeof front.add>) => {
    const rule = front.add(...args)
    frontRules.push(rule)
    return rule
  }
  let background: Promise<void> = Promise.resolve()
  let fired: () => boolean
  // The call the gate is busy with while it settles (exact) or verifies (tx).
  const busy = kind === 'tx' ? isProofLookup : isSend

  if (fault === 'drop-before' || fault === 'drop-after') {
    const rule = frontRule(paid, { kind: fault === 'drop-before' ? 'drop-request' : 'drop-response' })
    fired = () => rule.hits > 0
  } else if (fault === 'drop-settling') {
    const send = rpc(busy, { kind: 'hold' }, { times: 1 })
    const rule = frontRule(paid, { kind: 'drop-when', when: send.waitForHits(1) })
    background = rule.done().then(() => send.release())
    fired = () => rule.hits > 0 && send.hits > 0
  } else if (fault === 'receipt-lost') {
    // exact: the sync send's answer (which carries the receipt) is lost, then the receipt polls
    // answer "not mined" a few times; tx: the gate's look-up of the transfer finds no receipt.
    const lost = kind === 'tx' ? undefined : rpc(isSend, { kind: 'forward-then-drop' }, { times: 1 })
    const receipts = rpc(
      kind === 'tx' ? isProofLookup : (call) => call.method === 'eth_getTransactionReceipt',
      { kind: 'rewrite', result: () => null },
      { times: LOST_RECEIPTS },
    )
    fired = () => receipts.hits > 0 && (lost === undefined || lost.hits > 0)
  } else if (fault === 'rpc-502') {
    // exact: the settler's send; tx: the payer's own transfer.
    const rule = rpc(isSend, { kind: 'forward-then-status', status: 502 }, { times: 1 })
    fired = () => rule.hits > 0
  } else if (fault === 'kill-9' || fault === 'kill-9-unsent') {
    const send = rpc(busy, { kind: 'hold' }, { times: 1 })
    // kill-9-unsent: the held send is dropped once let go, as if the process died before it left.
    if (fault === 'kill-9-unsent') rpc(busy, { kind: 'drop' }, { times: 1 })
    background = send.waitForHits(1).then(async () => {
      front.pause()
      await world.merchants[0].kill()
      // The node gets the held call only now, from a gate that is gone (or, unsent, never).
      send.release()
      await world.restart(0)
      front.route(world.merchants[0].port)
      front.resume()
    })
    fired = () => send.hits > 0
  } else {
    // second-instance: the first answer is lost (exact: while instance 0 settles), the retry goes to 1.
    const send = kind === 'tx' ? undefined : rpc(busy, { kind: 'hold' }, { times: 1 })
    const rule = frontRule(
      paid,
      send === undefined ? { kind: 'drop-response' } : { kind: 'drop-when', when: send.waitForHits(1) },
    )
    background = rule.done().then(() => {
      front.route(world.merchants[1].port)
      send?.release()
    })
    fired = () => rule.hits > 0 && (send === undefined || send.hits > 0)
  }
  return {
    fired: () => fired(),
    background,
    disarm() {
      for (const rule of rpcRules) rule.remove()
      for (const rule of frontRules) rule.remove()
      front.route(world.merchants[0].port)
      front.resume()
    },
  }
}
