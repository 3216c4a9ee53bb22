/**
 * @module @tollgate/hono
 * Hono middleware for Tollgate: charges AI agents per request over HTTP 402 (x402 v2), on Node,
 * Bun, Deno, Workers and other edge runtimes. The gate in `@tollgate/core` decides prices,
 * payments and status codes; this package only carries Hono's requests to it and its responses back.
 */
export {
  type TollgateEnv,
  type TollgateGate,
  type TollgateOptions,
  type TollgateVariables,
  tollgate,
} from './tollgate.js'
