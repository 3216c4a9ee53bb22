import { type CreateGateOptions, createGate, type Gate, type GateDecision } from '@tollgate/core'
import type { Request, RequestHandler } from 'express'
import { completeOnFinish } from './complete-on-finish.js'
import { holdUntilSettled } from './hold-until-settled.js'
import { toGateRequest } from './to-gate-request.js'
import { writeWebResponse } from './write-web-response.js'

/** Options of {@link tollgate} that concern Express itself; prices and payments are the gate's. */
export type TollgateOptions = {
  /**
   * The client's IP address, for the gate's per-IP rate limit. Default `request.ip`, which follows
   * Express's `trust proxy` setting.
   */
  clientIp?: (request: Request) => string | undefined
}

/** Anything with the gate's `check`: a gate from any copy of `@tollgate/core`. */
export type TollgateGate = Pick<Gate, 'check'>

/**
 * Puts a Tollgate gate in front of an Express app: unpaid requests to priced routes get the
 * gate's 402, paid ones reach the handler with the receipt in `response.locals.tollgate`, and the
 * response carries `PAYMENT-RESPONSE`. A handler that fails (status 500 or more, a thrown error, or
 * a client that hangs up first) frees the agent's `tx` proof for a retry. For schemes that settle
 * after the handler (x402 `exact`), the handler's response is held back until the money moved.
 *
 * @example
 * import express from 'express'
 * import { evmNetwork } from '@tollgate/core/evm'
 * import { tollgate } from '@tollgate/express'
 *
 * const app = express()
 * app.use(
 *   tollgate({
 *     routes: { 'GET /api/search': { price: '$0.001', description: 'Web search' } },
 *     payTo: '0xYourAddress',
 *     networks: [evmNetwork({ network: 'eip155:8453', rpcUrl: process.env.RPC_URL! })],
 *     secret: process.env.TOLLGATE_SECRET!,
 *   }),
 * )
 * app.get('/api/search', (request, response) => {
 *   response.json({ results: [], paidBy: response.locals.tollgate?.payer })
 * })
 * @throws {TollgateError} `config_invalid` (from `createGate`) when given invalid gate options
 */
export function tollgate(
  gateOrOptions: TollgateGate | CreateGateOptions,
  options: TollgateOptions = {},
): RequestHandler {
  const gate: TollgateGate =
    typeof (gateOrOptions as Partial<TollgateGate>).check === 'function'
      ? (gateOrOptions as TollgateGate)
      : createGate(gateOrOptions as CreateGateOptions)
  const clientIp = options.clientIp ?? ((request: Request) => request.ip)

  return async (request, response, next) => {
    let decision: GateDecision
    try {
      // The address is only worked out when the gate has a per-IP limit to apply.
      decision = await gate.check(toGateRequest(request), { clientIp: () => clientIp(request) })
    } catch (error) {
      next(error)
      return
    }
    if (decision.outcome === 'free') {
      next()
    } else if (decision.outcome === 'rejected') {
      await writeWebResponse(response, decision.response).catch(next)
    } else {
      if (decision.deferred) holdUntilSettled(response, decision.complete)
      else if (decision.settles) completeOnFinish(response, decision.complete)
      for (const [name, value] of decision.headers) response.setHeader(name, value)
      response.locals.tollgate = decision.receipt
      next()
    }
  }
}
