/** A pass issued with a payment, as sent in `PAYMENT-RESPONSE.extensions.pass`. */
export type IssuedPass = {
  /** The token to send as `X-Payment-Pass`. */
  token: string
  /** Unix seconds after which the pass is refused. */
  expiresAt: number
  /** What the pass covers. */
  scope: { routes: string[]; origin?: string }
  /** Requests allowed, when limited. */
  uses?: number
}
