import { z } from 'zod'

/** Sub-key label of challenges. @internal */
export const CHALLENGE_PURPOSE = 'challenge'

/** What a challenge binds: the price quoted for one route. */
export type ChallengeClaims = {
  /** The priced route, such as the gate's route pattern `GET /weather/:city`; 1 to 256 characters. */
  route: string
  /** CAIP-2 network id, such as `eip155:8453`; 1 to 256 characters. */
  network: string
  /** Asset address or id on that network; 1 to 256 characters. */
  asset: string
  /** Recipient address; 1 to 256 characters. */
  payTo: string
  /** Price in atomic units, a canonical decimal integer string such as `"10000"`. */
  amount: string
}

/** A verified challenge: the bound claims plus its lifetime. Times are unix seconds. */
export type ChallengePayload = ChallengeClaims & {
  /** Id of the key that signed the challenge. */
  kid: string
  /** Issued at, unix seconds. */
  issuedAt: number
  /** Expires at, unix seconds. */
  expiresAt: number
  /** 16 random bytes, base64url; makes every challenge unique. */
  nonce: string
}

const field = z.string().min(1).max(256)

/** Strict schema of a decoded challenge payload, in its compact wire names. @internal */
export const challengeWireSchema = z
  .strictObject({
    v: z.literal(1),
    kid: z.string().regex(/^[A-Za-z0-9_-]{1,32}$/),
    rt: field,
    net: field,
    ast: field,
    to: field,
    amt: z.string().regex(/^(?:0|[1-9]\d{0,77})$/),
    iat: z.int().nonnegative(),
    exp: z.int().nonnegative(),
    n: z.string().regex(/^[A-Za-z0-9_-]{22}$/),
  })
  .refine((payload) => payload.exp > payload.iat, { path: ['exp'], message: 'exp must be after iat' })
