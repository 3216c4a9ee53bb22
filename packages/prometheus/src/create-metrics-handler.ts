/** The parts of a Node.js or Express request the metrics handler reads. */
export type MetricsRequest = {
  /** HTTP method; only `GET` and `HEAD` are served. */
  method?: string | undefined
}

/** The parts of a Node.js `ServerResponse` (or an Express response) the metrics handler writes. */
export type MetricsResponse = {
  statusCode: number
  setHeader(name: string, value: string): unknown
  end(body?: string): unknown
}

/**
 * Serves a registry's text exposition: usable as a `node:http` request listener and as an Express
 * route handler.
 */
export type MetricsHandler = (request: MetricsRequest, response: MetricsResponse) => void

/** The registry methods the handler needs; any prom-client `Registry` fits. */
type ExposedRegistry = { metrics(): Promise<string>; readonly contentType: string }

/**
 * Creates the `(request, response)` handler of a registry: `200` with the exposition and the
 * registry's content type for `GET`/`HEAD`, `405` for other methods, `500` when a collector fails.
 * Never throws and never leaves a rejected promise behind.
 *
 * @internal
 * @example createServer(createMetricsHandler(registry)).listen(9464)
 */
export function createMetricsHandler(registry: ExposedRegistry): MetricsHandler {
  return (request, response) => {
    const method = request.method ?? 'GET'
    if (method !== 'GET' && method !== 'HEAD') {
      respond(response, 405, 'text/plain; charset=utf-8', 'Method Not Allowed\n', { allow: 'GET, HEAD' })
      return
    }
    registry
      .metrics()
      .then(
        (body) => respond(response, 200, registry.contentType, method === 'HEAD' ? undefined : body),
        () => respond(response, 500, 'text/plain; charset=utf-8', 'The metrics could not be collected.\n'),
      )
      // The client may be gone, or another handler may have answered already: nothing left to do.
      .catch(() => {})
  }
}

function respond(
  response: MetricsResponse,
  status: number,
  contentType: string,
  body: string | undefined,
  headers: Record<string, string> = {},
): void {
  response.statusCode = status
  response.setHeader('content-type', contentType)
  // Scrapes must always see current values, never a cached page.
  response.setHeader('cache-control', 'no-store')
  for (const [name, value] of Object.entries(headers)) response.setHeader(name, value)
  response.end(body)
}
