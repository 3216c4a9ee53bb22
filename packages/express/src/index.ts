/**
 * @module @tollgate/express
 * Express middleware for Tollgate: charges AI agents per request over HTTP 402 (x402 v2). The
 * gate in `@tollgate/core` decides prices, payments and status codes; this package only carries
 * Express requests to it and its responses back.
 */
import type { PaymentReceipt } from '@tollgate/core'

export { type TollgateGate, type TollgateOptions, tollgate } from './tollgate.js'
export { writeWebResponse } from './write-web-response.js'

declare global {
  namespace Express {
    interface Locals {
      /** How this request was paid, set by `tollgate()` on paid and pass requests; absent on free routes. */
      tollgate?: PaymentReceipt
    }
  }
}
