import type { Network } from '../chains/types.js'

/** The resource a payment is for (x402 v2 `ResourceInfo`). */
export type ResourceInfo = {
  /** The URL of the paid resource. */
  url: string
  /** What the payer gets. */
  description?: string
  /** Media type of the paid response. */
  mimeType?: string
}

/** One way to pay (x402 v2 `PaymentRequirements`). */
export type PaymentRequirements = {
  /** Payment scheme: `"exact"` (EIP-3009) or `"tx"` (transaction proof). */
  scheme: string
  /** CAIP-2 network. */
  network: Network
  /** Token address, mint, or `"native"`. */
  asset: string
  /** Atomic units, a canonical decimal integer string. */
  amount: string
  /** The recipient. */
  payTo: string
  /** Seconds the payer has to complete the payment. */
  maxTimeoutSeconds: number
  /** Scheme-specific fields: EIP-712 `name`/`version` for `exact`, `challenge` for `tx`. */
  extra: Record<string, unknown>
}

/** The body of the `PAYMENT-REQUIRED` header (x402 v2). */
export type PaymentRequired = {
  x402Version: 2
  /** Why payment is required or why the last payment failed (a Tollgate error code). */
  error?: string
  resource: ResourceInfo
  accepts: PaymentRequirements[]
  extensions?: Record<string, unknown>
}

/** The body of the `PAYMENT-SIGNATURE` header (x402 v2). */
export type PaymentPayload = {
  x402Version: 2
  resource?: ResourceInfo
  /** The requirements the payer chose, echoed back. */
  accepted: PaymentRequirements
  /** Scheme-specific proof. */
  payload: Record<string, unknown>
  extensions?: Record<string, unknown>
}

/** The body of the `PAYMENT-RESPONSE` header (x402 v2 `SettleResponse`). */
export type SettleResponse = {
  success: boolean
  /** Transaction hash or signature; `""` when nothing settled. */
  transaction: string
  network: Network
  payer?: string
  errorReason?: string
  errorMessage?: string
  /** Settled amount in atomic units, when it differs from the requirement. */
  amount?: string
  extensions?: Record<string, unknown>
}

/** An x402 v1 `PaymentRequirements` entry of a 402 JSON body. */
export type PaymentRequirementsV1 = {
  scheme: string
  network: string
  maxAmountRequired: string
  resource: string
  description: string
  mimeType: string
  outputSchema?: Record<string, unknown> | null
  payTo: string
  maxTimeoutSeconds: number
  asset: string
  extra?: Record<string, unknown> | null
}

/** An x402 v1 `X-PAYMENT` header body. */
export type PaymentPayloadV1 = {
  x402Version: 1
  scheme: string
  network: string
  payload: Record<string, unknown>
}
