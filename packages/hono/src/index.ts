/**
 * @module @tollgate/hono
 * Hono middleware and route handler for Tollgate: charges AI agents per request over HTTP 402
 * (x402 v2), on Node, Bun, Deno, Workers and other edge runtimes. The gate in `@tollgate/core` decides prices,
 * payments and status codes; this package only carries Hono's requests to it and its responses back.
 */
export { paidHandler } from './paid-handler.js'
export type { TollgateGate } from './resolve-gate.js'
export {
  type TollgateEnv,
  type TollgateOptions,
  type TollgateVariables,
  tollgate,
} from './tollgate.js'
