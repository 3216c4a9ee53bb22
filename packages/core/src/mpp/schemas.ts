import { z } from 'zod'
import { parseRfc3339 } from './parse-rfc3339.js'

/** base64url without padding, 1 to `max` characters. @internal */
export const base64Url = (max: number) =>
  z
    .string()
    .min(1)
    .max(max)
    .regex(/^[A-Za-z0-9_-]+$/, 'must be base64url without padding')

const rfc3339 = z.string().refine((text) => parseRfc3339(text) !== undefined, 'must be an RFC 3339 date-time')
const address = z.string().regex(/^0x[0-9a-fA-F]{40}$/, 'must be a 0x-prefixed 20-byte address')
const atomic = z.string().regex(/^(0|[1-9]\d{0,77})$/, 'must be a canonical decimal integer string')

/** A challenge's parameters, as parsed from the header or echoed in a credential. @internal */
export const mppChallengeSchema = z.object({
  id: z.string().min(1).max(256),
  realm: z.string().max(256),
  method: z.string().regex(/^[a-z]{1,32}$/, 'must be 1 to 32 lowercase letters'),
  intent: z.string().regex(/^[A-Za-z0-9-]{1,32}$/, 'must be an intent token'),
  request: base64Url(4096),
  expires: rfc3339.optional(),
  description: z.string().max(1024).optional(),
  digest: z.string().min(1).max(1024).optional(),
  opaque: base64Url(2048).optional(),
})

/** The EVM `charge` request. Unknown fields are ignored, as the draft asks. @internal */
export const mppEvmChargeRequestSchema = z.object({
  amount: atomic,
  currency: address,
  recipient: address,
  description: z.string().max(1024).optional(),
  externalId: z.string().max(256).optional(),
  methodDetails: z.object({
    chainId: z.int().positive().max(Number.MAX_SAFE_INTEGER),
    credentialTypes: z.array(z.string().min(1).max(32)).max(8).optional(),
    decimals: z.int().min(0).max(255).optional(),
    permit2Address: address.optional(),
  }),
})

/** A `Payment` credential. @internal */
export const mppCredentialSchema = z.object({
  challenge: mppChallengeSchema,
  payload: z.record(z.string().max(64), z.unknown()),
  source: z.string().min(1).max(256).optional(),
})

/** The EVM `authorization` proof. @internal */
export const mppEvmAuthorizationSchema = z.object({
  type: z.literal('authorization'),
  from: address,
  to: address,
  value: atomic,
  validAfter: z.string().regex(/^(0|[1-9]\d{0,19})$/, 'must be unix seconds'),
  validBefore: z.string().regex(/^(0|[1-9]\d{0,19})$/, 'must be unix seconds'),
  nonce: z.string().regex(/^0x[0-9a-fA-F]{64}$/, 'must be a 0x-prefixed bytes32'),
  signature: z.string().regex(/^0x(?:[0-9a-fA-F]{2}){65,2048}$/, 'must be a 0x-prefixed signature'),
})

/** A `Payment-Receipt`. @internal */
export const mppReceiptSchema = z.object({
  status: z.literal('success'),
  method: z.string().regex(/^[a-z]{1,32}$/, 'must be 1 to 32 lowercase letters'),
  timestamp: rfc3339,
  reference: z.string().min(1).max(256),
  challengeId: z.string().min(1).max(256).optional(),
  chainId: z.int().positive().max(Number.MAX_SAFE_INTEGER).optional(),
  externalId: z.string().max(256).optional(),
})
