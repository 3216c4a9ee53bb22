import type { CompiledRoute } from '../gate/compile-routes.js'
import type { OfferContext } from '../gate/offers.js'
import { buildOperation } from './build-operation.js'
import { buildPaymentInfo } from './build-payment-info.js'
import type { CompiledDiscovery } from './compile-discovery.js'
import { toOpenApiPath } from './to-openapi-path.js'
import type { OpenApiDocument } from './types.js'

/** What the OpenAPI document is built from. @internal */
export type OpenApiSource = {
  routes: readonly CompiledRoute[]
  context: OfferContext
  discovery: CompiledDiscovery
  /** The origin for `servers`; omitted when undefined. */
  origin: string | undefined
}

/**
 * Builds the gate's OpenAPI 3.1 document: one operation per priced route (most specific first,
 * with `x-payment-info` and a `402` response), then the declared free routes. Routes with `*` or
 * `**` and routes whose `discovery` is `false` are left out; a free route never replaces a priced one.
 * @internal
 */
export function buildOpenApiDocument(source: OpenApiSource): OpenApiDocument {
  const { options } = source.discovery
  const paths: OpenApiDocument['paths'] = {}
  const add = (at: ReturnType<typeof toOpenApiPath>, operation: () => Record<string, unknown>) => {
    if (at === undefined) return
    const item = paths[at.path] ?? {}
    paths[at.path] = item
    if (item[at.method] === undefined) item[at.method] = operation()
  }
  for (const route of source.routes) {
    const discovery = route.config.discovery
    if (discovery === false) continue
    add(toOpenApiPath(route.pattern), () =>
      buildOperation({
        at: toOpenApiPath(route.pattern)!,
        description: route.config.description,
        mimeType: route.config.mimeType,
        discovery,
        paymentInfo: buildPaymentInfo(route, source.context),
      }),
    )
  }
  for (const { pattern, config } of source.discovery.free) {
    add(toOpenApiPath(pattern), () =>
      buildOperation({ at: toOpenApiPath(pattern)!, description: config.description, discovery: config }),
    )
  }
  return {
    openapi: '3.1.0',
    info: {
      title: options.title ?? 'Paid API',
      version: options.version ?? '1.0.0',
      ...(options.description === undefined ? {} : { description: options.description }),
    },
    ...(source.origin === undefined ? {} : { servers: [{ url: source.origin }] }),
    ...(options.serviceInfo === undefined ? {} : { 'x-service-info': options.serviceInfo }),
    paths,
  }
}
