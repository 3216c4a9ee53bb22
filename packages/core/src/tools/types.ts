import type { ZodObject } from 'zod'
import type { Client, PaymentInfo } from '../client/create-client.js'
import type { Money, SpendingPolicy } from '../policy/types.js'

/** One parameter of a {@link PaidEndpoint}, in a small JSON-Schema-like syntax. */
export type PaidEndpointParameter =
  | {
      type: 'string'
      /** Shown to the model. */
      description?: string
      /** The only values allowed. */
      enum?: readonly [string, ...string[]]
      /** May be left out. Default `false`; path parameters are always required. */
      optional?: boolean
    }
  | {
      type: 'number' | 'integer' | 'boolean'
      /** Shown to the model. */
      description?: string
      /** May be left out. Default `false`; path parameters are always required. */
      optional?: boolean
    }

/**
 * A zod schema of any version (zod 3 or 4), as far as Tollgate needs it: something that parses.
 * Raw zod shapes such as `{ ticker: z.string() }` are maps of these.
 */
export type ZodSchemaLike = { safeParse(value: unknown): unknown }

/**
 * A paid HTTP endpoint described as a tool: the one definition every adapter (LangChain, the AI
 * SDK, MCP) takes, so a tool list can be moved between frameworks unchanged.
 */
export type PaidEndpoint = {
  /** Tool name the model calls: letters, digits, `_` and `-`, at most 64 characters. */
  name: string
  /** What the tool does, for the model. The price ceiling is appended when `maxPrice` is set. */
  description: string
  /**
   * The URL, with `{name}` placeholders for path parameters, such as
   * `https://api.example.com/price/{ticker}`. Placeholders are filled with `encodeURIComponent(value)`.
   */
  endpoint: string
  /** Display name, for frameworks that show one (MCP). Default none. */
  title?: string
  /** HTTP method. Default `GET`. */
  method?: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE'
  /**
   * The parameters: a zod object schema (made strict), a raw zod shape (`{ ticker: z.string() }`) or a
   * map of {@link PaidEndpointParameter}s; zod 3 and zod 4 alike. Unknown parameters are refused before
   * any request. Default none.
   */
  params?: ZodObject | Readonly<Record<string, PaidEndpointParameter | ZodSchemaLike>> | undefined
  /**
   * Where parameters that are not in the path go. Default: the query string for `GET` and `DELETE`, a
   * JSON body otherwise. `'json'` sends them as a JSON body; a function returns the JSON body from all
   * the (validated) parameters.
   */
  body?: 'json' | ((params: Record<string, unknown>) => unknown)
  /** Extra request headers, such as an API key of the service (never sent to the model). */
  headers?: Readonly<Record<string, string>>
  /** The most one call is expected to cost, such as `'$0.60'`. Shown to the model. */
  maxPrice?: Money
}

/**
 * What the adapter needs of a Tollgate client: any object with these members, so a client from
 * another copy of `@tollgate/core` works too.
 */
export type PaidEndpointClient = Pick<Client, 'fetch' | 'paymentFor'> & {
  readonly policy: Pick<SpendingPolicy, 'needsApproval'>
}

/**
 * A failure handed back to the model as data, never thrown: a Tollgate error code (such as
 * `policy_budget_exceeded`), `http_<status>`, `invalid_parameters` or `request_failed`.
 */
export type PaymentProblem = {
  /** Stable code to branch on. */
  error: string
  /** One sentence for people. */
  message: string
  /** What the agent should do next. */
  hint: string
  /** What the call would have cost, such as `"$0.30"`. */
  price?: string
  /** The limit that refused it. */
  limit?: string
  /** Budget still available. */
  remaining?: string
  /** Seconds to wait before calling again. */
  retryAfter?: number
  /** The server's refusal reason, for `payment_rejected`. */
  reason?: string
  /** The HTTP status, for `http_<status>`. */
  status?: number
  /** The server's answer (possibly truncated), for `http_<status>`. */
  body?: unknown
  /** What was wrong with the parameters, for `invalid_parameters`. */
  issues?: string[]
}

/** The outcome of one call of a paid tool. */
export type PaidCallResult =
  | { ok: true; data: unknown; status: number; payment: PaymentInfo | undefined }
  | { ok: false; problem: PaymentProblem; status: number | undefined; payment: PaymentInfo | undefined }
