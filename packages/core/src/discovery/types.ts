/** A JSON Schema (draft 2020-12, the dialect of OpenAPI 3.1), as a plain object. */
export type JsonSchema = Readonly<Record<string, unknown>>

/**
 * What agents and directories may read about one route, beyond its price: its summary and the
 * shape of what it takes and returns. Feeds the OpenAPI document and the x402 `bazaar` extension of
 * the route's 402. Discovery is advisory: the runtime 402 stays authoritative.
 */
export type RouteDiscovery = {
  /** One line for listings. Default: the route's `description`. */
  summary?: string
  /**
   * What a request carries: the query parameters of a `GET`, `HEAD` or `DELETE` route (an object
   * schema whose properties are the parameters), the JSON body of a `POST`, `PUT` or `PATCH` route.
   */
  input?: {
    /** JSON Schema of the query parameters (an object schema) or of the JSON body. */
    schema?: JsonSchema
    /**
     * A valid input, shown to agents. Required for a body route whose schema has `required`
     * properties, since x402's `bazaar` extension must carry a body that fits its schema.
     */
    example?: Readonly<Record<string, unknown>>
  }
  /** What a paid request returns. */
  output?: {
    /** JSON Schema of the successful response body. */
    schema?: JsonSchema
    /** An example response body. */
    example?: unknown
  }
}

/** Service-level metadata of the OpenAPI document (MPP discovery's `x-service-info`). */
export type ServiceInfo = {
  /** Free-form, lower-case categories such as `"search"` or `"data"`; at most 5 are advised. */
  categories?: readonly string[]
  /** Documentation links (absolute URLs). */
  docs?: { apiReference?: string; homepage?: string; llms?: string }
}

/** The discovery options of a gate (`createGate({ discovery })`). */
export type DiscoveryOptions = {
  /** Where the gate answers `GET` with its OpenAPI document. Default `"/openapi.json"`. */
  openapiPath?: string
  /** Where the gate answers `GET` with its x402 discovery document. Default `"/.well-known/x402"`. */
  wellKnownPath?: string
  /** `info.title` of the OpenAPI document. Default `"Paid API"`. */
  title?: string
  /** `info.version` of the OpenAPI document. Default `"1.0.0"`. */
  version?: string
  /** `info.description` of the OpenAPI document. */
  description?: string
  /** `x-service-info` of the OpenAPI document. */
  serviceInfo?: ServiceInfo
  /** `instructions` of the `/.well-known/x402` document: guidance for agents, in prose. */
  instructions?: string
  /** `ownershipProofs` of the `/.well-known/x402` document, as directories that ask for them define them. */
  ownershipProofs?: readonly string[]
  /**
   * Free routes to list next to the priced ones, keyed by pattern (`"GET /api/health"`): they get
   * an OpenAPI operation without `x-payment-info` and no 402.
   */
  free?: Readonly<Record<string, RouteDiscovery & { description?: string }>>
}

/** One payment offer of MPP discovery's `x-payment-info`. */
export type PaymentInfoOffer = {
  /** Always `"charge"`: one payment per request. */
  intent: 'charge'
  /** The payment method, named as MPP names them: the chain family (`"evm"`, `"solana"`). */
  method: string
  /** Atomic units as a decimal string, or `null` for a dynamic price (the 402 carries it). */
  amount: string | null
  /** The asset: token contract address, mint, or `"native"`. */
  currency?: string
  /** The network, the human amount and the x402 schemes, in prose. */
  description?: string
}

/** An OpenAPI 3.1 document as the gate builds it (a plain JSON value). */
export type OpenApiDocument = {
  openapi: '3.1.0'
  info: { title: string; version: string; description?: string }
  servers?: { url: string }[]
  'x-service-info'?: ServiceInfo
  paths: Record<string, Record<string, Record<string, unknown>>>
}

/** The `/.well-known/x402` document: the resources a directory should probe for 402s. */
export type WellKnownX402 = {
  version: 1
  /** Absolute URLs; a method other than `GET` or `POST` is written before the URL (`"PUT https://…"`). */
  resources: string[]
  instructions?: string
  ownershipProofs?: string[]
}

/** Options of the discovery builders. */
export type DiscoveryBuildOptions = {
  /**
   * The origin to describe, such as `"https://api.example.com"`. Default: the gate's `publicUrl`.
   * The OpenAPI document omits `servers` without either; the well-known document needs one.
   */
  origin?: string
}

/** One way to pay a route, as {@link GateDiscovery.priceOf} lists it. */
export type PriceOption = {
  /** The x402 scheme: `"exact"` or `"tx"`. */
  scheme: string
  /** CAIP-2 network id. */
  network: string
  /** Token contract address, mint, or `"native"`. */
  asset: string
  /** Atomic units, as a decimal string. */
  amount: string
  /** The asset's ticker, such as `"USDC"`. */
  symbol: string
  /** The asset's decimals. */
  decimals: number
  /** The amount for people: `"0.01 USDC"`. */
  display: string
  /** The pass this option buys, if it buys one. */
  pass?: { ttlSeconds: number }
}

/** What one route costs, for listings such as MCP `tools/list`: advisory, the 402 is authoritative. */
export type RoutePrice = {
  /** The route pattern that prices the request, such as `"POST /forecast"`. */
  route: string
  /** Whether the price is a function of the request: then `accepts` is empty and the 402 tells. */
  dynamic: boolean
  /** Every fixed way to pay, as the 402 offers them. */
  accepts: PriceOption[]
}

/** The discovery documents of a gate, built from its routes and prices. */
export type GateDiscovery = {
  /**
   * What a request to `method` `path` costs, by the route that prices it; `undefined` when no
   * route does (the request is free).
   */
  priceOf(method: string, path: string): RoutePrice | undefined
  /**
   * The OpenAPI 3.1 document of the gate's routes: each priced operation carries `x-payment-info`
   * and a `402` response.
   */
  openapi(options?: DiscoveryBuildOptions): OpenApiDocument
  /** The `/.well-known/x402` document: the URLs of the gate's priced routes. */
  wellKnown(options?: DiscoveryBuildOptions): WellKnownX402
}
