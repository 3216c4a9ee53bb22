import type { ConformanceRunner } from './store-conformance.js'

/** A server under test: an adapter in front of handlers that count their runs. */
export type GateConformanceServer = {
  /**
   * Sends the raw bytes of one HTTP/1.1 request on a fresh connection, with nothing normalised
   * (use a plain socket, not an HTTP client), and resolves with the raw answer.
   */
  send(raw: string): Promise<string>
  /** How many times the priced handlers ran so far. */
  handlerRuns(): number
  /** Stops the server. */
  close(): Promise<void>
}

/** Options of {@link defineGateConformance}. */
export type DefineGateConformanceOptions = {
  /** Suite name, such as `"express"`. */
  name: string
  /**
   * Requests to priced routes, as the method and a plain path the app serves, such as
   * `{ method: 'GET', path: '/api/search' }`. Each must answer 402 unpaid.
   */
  priced: readonly { method: string; path: string }[]
  /**
   * Starts the server. Its gate must have a `publicUrl`, so no `Host` changes the answer; its
   * priced handlers must count their runs.
   */
  start: () => Promise<GateConformanceServer>
  /**
   * Whether the server itself refuses a malformed `Host` (with a path, query, fragment or
   * backslash character, a space, a bad port) with `400` before any app code runs, as
   * `@hono/node-server` does: those variants must then answer `400`, still running no handler.
   * Default `false`: they reach the gate, which answers `402`.
   */
  refusesMalformedHost?: boolean
  /**
   * Whether the gate is each priced route's own handler (such as `paidHandler` of
   * `@tollgate/hono`) rather than a middleware in front of the router: it then sees only what the
   * framework routed to it, and a spelling the framework does not route there (case, trailing
   * slash, `//`) may answer the framework's `404` instead, still running no handler. The plain
   * path must answer `402` all the same. Default `false`.
   */
  routeLevel?: boolean
  /**
   * A pass token the server's gate accepts at its public URL for the first of `priced` only (that
   * route's pattern alone in its scope). Given, the suite also checks that rides on it are served,
   * again and with any query, and that after them the same pass buys no other priced request in
   * any of the shapes above.
   */
  pass?: () => Promise<string>
}

type Variant = {
  name: string
  method: string
  target: string
  host: string
  malformedHost?: boolean
  respelled?: boolean
}

// Hosts a client can send: with path, query, fragment or backslash characters, spaces, bad ports.
const MALFORMED_HOSTS = ['127.0.0.1:4021/', 'x?', 'x#', 'x\\y', 'a b', 'x:99999', ':']
const OTHER_HOSTS = ['evil.example', '[::1]:80']

/**
 * Defines what every HTTP adapter must guarantee for priced routes, as tests in your runner: an
 * unpaid request answers 402 (or, see `refusesMalformedHost`, the server's own 400 for a malformed
 * `Host`; see `routeLevel`, the framework's 404 for a spelling it does not route to the gate) and
 * runs no handler, whatever its `Host`, request-target form (origin or absolute), path spelling
 * (case, trailing slash, `//`, percent-encoded characters, dot segments) or `HEAD` for `GET`.
 * Requests go out as raw bytes.
 *
 * @example
 * import { describe, expect, test } from 'vitest'
 * defineGateConformance({ describe, test, expect }, { name: 'express', priced: [{ method: 'GET', path: '/api/search' }], start })
 */
export function defineGateConformance(
  runner: ConformanceRunner,
  options: DefineGateConformanceOptions,
): void {
  const { describe, test, expect } = runner
  describe(`Gate conformance: ${options.name}`, () => {
    for (const request of options.priced) {
      for (const variant of variantsOf(request.method, request.path)) {
        const status = variant.malformedHost === true && options.refusesMalformedHost === true ? 400 : 402
        const notRouted = variant.respelled === true && options.routeLevel === true
        test(`${request.method} ${request.path}: ${variant.name} -> ${status}${notRouted ? ' or 404' : ''}, handler not run`, async () => {
          const server = await options.start()
          try {
            const got = statusOf(await server.send(rawRequest(variant)))
            // The framework's own 404 for a spelling it does not route to a route-level gate.
            expect(notRouted && got === 404 ? status : got).toBe(status)
            expect(server.handlerRuns()).toBe(0)
          } finally {
            await server.close()
          }
        })
      }
    }
    const { pass } = options
    const [first, ...others] = options.priced
    if (pass === undefined || first === undefined) return
    test(`pass rides: a pass for ${first.method} ${first.path} is served there, with any query, and buys nothing else`, async () => {
      const server = await options.start()
      try {
        const headers = { 'X-Payment-Pass': await pass() }
        const rides = [first.path, first.path, `${first.path}?q=1`, `${first.path}?q=2`, first.path]
        for (const target of rides) {
          const variant = { name: 'ride', method: first.method, target, host: '127.0.0.1' }
          expect(statusOf(await server.send(rawRequest(variant, headers)))).toBe(200)
        }
        expect(server.handlerRuns()).toBe(rides.length)
        for (const other of others) {
          for (const variant of variantsOf(other.method, other.path)) {
            const got = statusOf(await server.send(rawRequest(variant, headers)))
            const what = `${other.method} ${variant.target} (Host ${variant.host}) -> ${got}`
            expect(refused(got, variant) ? 'refused' : what).toBe('refused')
          }
        }
        expect(server.handlerRuns()).toBe(rides.length)
      } finally {
        await server.close()
      }
    })
  })

  // How an unpaid request of `variant` must be answered; see the options.
  function refused(status: number | undefined, variant: Variant): boolean {
    if (status === 402) return true
    if (status === 400) return variant.malformedHost === true && options.refusesMalformedHost === true
    return status === 404 && variant.respelled === true && options.routeLevel === true
  }
}

function variantsOf(method: string, path: string): Variant[] {
  const segments = path.split('/')
  const last = segments.at(-1) ?? ''
  const parent = segments.slice(0, -1).join('/')
  const host = '127.0.0.1'
  const variants: Variant[] = [
    { name: 'as is', method, target: path, host },
    { name: 'with a query', method, target: `${path}?q=x`, host },
    { name: 'upper case', method, target: path.toUpperCase(), host, respelled: true },
    { name: 'trailing slash', method, target: `${path}/`, host, respelled: true },
    { name: 'doubled slashes', method, target: `/${path.replaceAll('/', '//')}`, host, respelled: true },
    { name: 'dot segment', method, target: `${parent}/./${last}`, host },
    { name: 'dot-dot segment', method, target: `${parent}/x/../${last}`, host },
    { name: 'percent-encoded letter', method, target: `${parent}/${percentFirst(last)}`, host },
    { name: 'absolute-form target', method, target: `http://x${path}`, host },
    { name: 'absolute-form target, other host', method, target: `http://evil.example:81${path}?q=x`, host },
  ]
  for (const value of MALFORMED_HOSTS)
    variants.push({
      name: `Host ${JSON.stringify(value)}`,
      method,
      target: path,
      host: value,
      malformedHost: true,
    })
  for (const value of OTHER_HOSTS)
    variants.push({ name: `Host ${JSON.stringify(value)}`, method, target: path, host: value })
  if (method === 'GET') variants.push({ name: 'HEAD for GET', method: 'HEAD', target: path, host })
  return variants
}

function percentFirst(segment: string): string {
  if (segment.length === 0) return segment
  const code = segment.charCodeAt(0).toString(16).padStart(2, '0')
  return `%${code}${segment.slice(1)}`
}

function rawRequest(variant: Variant, headers: Record<string, string> = {}): string {
  const body = variant.method === 'GET' || variant.method === 'HEAD' ? '' : '{}'
  const lines = [`${variant.method} ${variant.target} HTTP/1.1`, `Host: ${variant.host}`, 'Connection: close']
  for (const [name, value] of Object.entries(headers)) lines.push(`${name}: ${value}`)
  if (body !== '') lines.push('Content-Type: application/json', `Content-Length: ${body.length}`)
  return `${lines.join('\r\n')}\r\n\r\n${body}`
}

function statusOf(answer: string): number | undefined {
  const match = /^HTTP\/1\.[01] (\d{3})/.exec(answer)
  return match === null ? undefined : Number(match[1])
}
