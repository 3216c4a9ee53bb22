/** The x402 v2 header names, and the Tollgate pass header. Header names are case-insensitive. */
export const headerNames = {
  paymentRequired: 'PAYMENT-REQUIRED',
  paymentSignature: 'PAYMENT-SIGNATURE',
  paymentResponse: 'PAYMENT-RESPONSE',
  /** x402 v1 request header. */
  xPayment: 'X-PAYMENT',
  /** x402 v1 response header. */
  xPaymentResponse: 'X-PAYMENT-RESPONSE',
  /** A Tollgate pass, sent instead of paying. */
  pass: 'X-Payment-Pass',
} as const

/**
 * The request headers the gate reads, by their lower-case names: a server's own header record (as
 * Node's) is keyed so, and an adapter's lookup by these folds no case.
 * @internal
 */
export const requestHeaderKeys = {
  paymentSignature: 'payment-signature',
  xPayment: 'x-payment',
  pass: 'x-payment-pass',
  authorization: 'authorization',
} as const

/** Default bound on one untrusted header: 8 KiB. */
export const DEFAULT_MAX_HEADER_BYTES = 8192
