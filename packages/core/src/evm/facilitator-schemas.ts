import { z } from 'zod'
import type { PaymentRequirements } from '../protocol/types.js'

/**
 * zod schemas of the x402 v2 facilitator HTTP API (`/verify`, `/settle`, `/supported`), as the
 * official `HTTPFacilitatorClient` reads them: optional fields may be null, unknown keys are
 * dropped, and long texts are cut rather than refused.
 * @internal
 */

const text = (max: number) => z.string().transform((value) => value.slice(0, max))
const optionalText = (max: number) =>
  text(max)
    .nullish()
    .transform((value) => value ?? undefined)
const record = z
  .record(z.string().max(128), z.unknown())
  .nullish()
  .transform((value) => value ?? undefined)

/** @internal */
export const verifyResponseSchema = z.object({
  isValid: z.boolean(),
  invalidReason: optionalText(128),
  invalidMessage: optionalText(512),
  payer: optionalText(128),
  extensions: record,
})

/** @internal */
export const facilitatorSettleResponseSchema = z.object({
  success: z.boolean(),
  errorReason: optionalText(128),
  errorMessage: optionalText(512),
  payer: optionalText(128),
  transaction: text(256),
  network: text(64),
  amount: optionalText(80),
  extensions: record,
})

/** @internal */
export const supportedResponseSchema = z.object({
  kinds: z
    .array(
      z.object({
        x402Version: z.number().int(),
        scheme: text(64),
        network: text(64),
        extra: record,
      }),
    )
    .max(1024),
  extensions: z.array(text(128)).max(1024).default([]),
  signers: z.record(z.string().max(64), z.array(text(128)).max(1024)).default({}),
})

/** The answer of a facilitator's `GET /supported` (x402 v2 `SupportedResponse`). */
export type SupportedResponse = {
  /** What the facilitator verifies and settles: `{ x402Version, scheme, network, extra? }`. */
  kinds: { x402Version: number; scheme: string; network: string; extra?: Record<string, unknown> }[]
  /** Extension keys the facilitator understands. */
  extensions: string[]
  /** Addresses that settle, by CAIP family (`"eip155:*"`). */
  signers: Record<string, string[]>
}

/** The body of `POST /verify` and `POST /settle` (x402 v2 `VerifyRequest`). @internal */
export type FacilitatorRequest = {
  x402Version: 2
  paymentPayload: {
    x402Version: 2
    accepted: PaymentRequirements
    payload: Record<string, unknown>
  }
  paymentRequirements: PaymentRequirements
}
