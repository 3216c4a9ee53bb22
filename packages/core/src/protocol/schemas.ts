import { z } from 'zod'

/**
 * zod schemas for the x402 wire. Unknown keys are dropped (forward compatible); every string is
 * bounded so one header cannot smuggle unbounded data into the gate.
 * @internal
 */

const network = z.string().regex(/^[-a-z0-9]{3,8}:[-_a-zA-Z0-9]{1,32}$/, 'must be a CAIP-2 chain id')
const atomic = z.string().regex(/^(0|[1-9]\d{0,77})$/, 'must be a canonical decimal integer string')
const record = z.record(z.string().max(128), z.unknown())

/** @internal */
export const resourceInfoSchema = z.object({
  url: z.string().max(2048),
  description: z.string().max(1024).optional(),
  mimeType: z.string().max(128).optional(),
})

/** @internal */
export const paymentRequirementsSchema = z.object({
  scheme: z.string().regex(/^[a-z0-9][a-z0-9_-]{0,31}$/, 'must be a scheme name'),
  network,
  asset: z.string().min(1).max(128),
  amount: atomic,
  payTo: z.string().min(1).max(128),
  maxTimeoutSeconds: z.number().int().positive().max(31_536_000),
  extra: record.nullish().transform((value) => value ?? {}),
})

/** @internal */
export const paymentRequiredSchema = z.object({
  x402Version: z.literal(2),
  error: z.string().max(512).optional(),
  resource: resourceInfoSchema,
  accepts: z.array(paymentRequirementsSchema).max(64),
  extensions: record.optional(),
})

/** @internal */
export const paymentPayloadSchema = z.object({
  x402Version: z.literal(2),
  resource: resourceInfoSchema.optional(),
  accepted: paymentRequirementsSchema,
  payload: record,
  extensions: record.optional(),
})

/** @internal */
export const settleResponseSchema = z.object({
  success: z.boolean(),
  transaction: z.string().max(256),
  network,
  payer: z.string().max(256).optional(),
  errorReason: z.string().max(256).optional(),
  errorMessage: z.string().max(1024).optional(),
  amount: atomic.optional(),
  extensions: record.optional(),
})

/** @internal */
export const paymentRequirementsV1Schema = z.object({
  scheme: z.string().max(32),
  network: z.string().max(64),
  maxAmountRequired: atomic,
  resource: z.string().max(2048),
  description: z.string().max(1024).default(''),
  mimeType: z.string().max(128).default(''),
  outputSchema: record.nullish(),
  payTo: z.string().min(1).max(128),
  maxTimeoutSeconds: z.number().int().positive().max(31_536_000),
  asset: z.string().min(1).max(128),
  extra: record.nullish(),
})

/** @internal */
export const paymentRequiredV1Schema = z.object({
  x402Version: z.literal(1),
  error: z.string().max(512).optional(),
  accepts: z.array(paymentRequirementsV1Schema).max(64),
})

/** @internal */
export const paymentPayloadV1Schema = z.object({
  x402Version: z.literal(1),
  scheme: z.string().max(32),
  network: z.string().max(64),
  payload: record,
})
