import { type CreateGateOptions, createGate, type Gate, type GateDecision } from '@tollgate/core'
import type { Request, RequestHandler } from 'express'
import { completeOnHead } from './complete-on-head.js'
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
 * response carries `PAYMENT-RESPONSE`. The gate prices the path Express routes (`originalUrl`),
 * never one rebuilt from `Host`; set the gate's `publicUrl` in production. A handler that fails
 * before answering (status 500 or more, or a thrown error) frees the payer's `tx` proof for a
 * retry and its response says so; once a head below 500 went out, the payment is consumed, even
 * if the client hangs up. A client gone before the handler starts is not charged and the handler
 * does not run. For schemes that settle after the handler (x402 `exact`), the handler's response
 * is held back until the money moved.
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
    // Aborted when the connection closes before the response finished: the requester is gone.
    const abort = new AbortController()
    const onClose = () => {
      if (!response.writableFinished) abort.abort()
    }
    response.once('close', onClose)
    let decision: GateDecision
    try {
      // The address is only worked out when the gate has a per-IP limit to apply.
      decision = await gate.check(toGateRequest(request), {
        clientIp: () => clientIp(request),
        signal: abort.signal,
      })
    } catch (error) {
      next(error)
      return
    }
    if (decision.outcome === 'free') {
      next()
    } else if (decision.outcome === 'rejected') {
      await writeWebResponse(response, decision.response).catch(next)
    } else if (abort.signal.aborted) {
      // The requester left before the handler started: run nothing, keep nothing.
      await decision.cancel().catch(() => {})
    } else {
      if (decision.deferred) holdUntilSettled(response, decision.complete)
      else if (decision.settles) completeOnHead(response, decision)
      response.locals.tollgate = decision.receipt
      next()
    }
  }
}
