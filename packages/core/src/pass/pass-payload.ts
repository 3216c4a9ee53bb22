import { z } from 'zod'
import { parseRoutePattern } from '../route/parse-route-pattern.js'
import { isCanonicalOrigin } from './is-canonical-origin.js'

/** Sub-key label of passes. @internal */
export const PASS_PURPOSE = 'pass'

/** Most route patterns one pass may cover. @internal */
export const MAX_PASS_ROUTES = 32

/** What a pass is good for. */
export type PassScope = {
  /** Route patterns such as `GET /weather/:city` (see `parseRoutePattern`); 1 to 32 of them. */
  routes: string[]
  /** The only origin the pass is good at, such as `https://api.example.com`. Default: any origin. */
  origin?: string
}

/** The signed content of a pass token. Times are unix seconds. */
export type PassPayload = {
  /** Payload version. */
  v: 1
  /** Id of the key that signed the pass. */
  kid: string
  /** Who the pass was sold to, usually the payer's address. */
  sub: string
  /** Routes and origin the pass covers. */
  scope: PassScope
  /** Issued at, unix seconds. */
  iat: number
  /** Expires at, unix seconds; always after `iat`. */
  exp: number
  /** Unique pass id, for revocation and use counting in a Store. */
  jti: string
  /** How many requests the pass pays for; counted by a Store. Default: unlimited until `exp`. */
  uses?: number
}

function isRoutePattern(value: string): boolean {
  try {
    parseRoutePattern(value)
    return true
  } catch {
    return false
  }
}

/** Strict schema of a decoded pass payload: unknown keys, floats and `exp <= iat` are rejected. @internal */
export const passPayloadSchema = z
  .strictObject({
    v: z.literal(1),
    kid: z.string().regex(/^[A-Za-z0-9_-]{1,32}$/),
    sub: z.string().min(1).max(128),
    scope: z.strictObject({
      routes: z.array(z.string().refine(isRoutePattern)).min(1).max(MAX_PASS_ROUTES),
      origin: z.string().max(2048).refine(isCanonicalOrigin).exactOptional(),
    }),
    iat: z.int().nonnegative(),
    exp: z.int().nonnegative(),
    jti: z.string().regex(/^[A-Za-z0-9._:-]{1,128}$/),
    uses: z.int().positive().exactOptional(),
  })
  .refine((payload) => payload.exp > payload.iat, { path: ['exp'], message: 'exp must be after iat' })
