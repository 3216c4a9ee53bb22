import { createServer, request as httpRequest, type IncomingHttpHeaders } from 'node:http'
import type { AddressInfo } from 'node:net'

/** A request as the front proxy sees it, before it decides what to do with it. */
export type FrontRequest = { method: string; path: string; headers: IncomingHttpHeaders; body: string }

/** What a rule does to a request it matches. */
export type FrontFault =
  /** Closes the client's connection without sending the request on: the gate never sees it. */
  | { kind: 'drop-request' }
  /** Sends the request on, reads the whole answer, then closes the client's connection without it. */
  | { kind: 'drop-response' }
  /** Sends the request on, and closes both connections (client and gate) once `when` resolves. */
  | { kind: 'drop-when'; when: Promise<void> }

/** A fault applied to the next requests that match. */
export type FrontRule = {
  /** How many requests it matched so far. */
  readonly hits: number
  /** Resolves once the rule's fault was carried out `count` times. */
  done(count?: number): Promise<void>
  /** Stops applying the rule. */
  remove(): void
}

/** A proxy between the paying client and the gates, that can drop either way and hold requests. */
export type FrontProxy = {
  url: string
  /** Sends later requests to this port on 127.0.0.1 (a second gate instance, a restarted one). */
  route(port: number): void
  /** Applies `fault` to the next `times` (default 1) requests `match` selects. */
  add(match: (request: FrontRequest) => boolean, fault: FrontFault, times?: number): FrontRule
  /** Holds new requests (their connections stay open) until {@link FrontProxy.resume}. */
  pause(): void
  resume(): void
  close(): Promise<void>
}

type ActiveRule = FrontRule & {
  match(request: FrontRequest): boolean
  fault: FrontFault
  left: number
  carried(): void
}

/**
 * Starts an HTTP proxy on 127.0.0.1 in front of a gate on `port`. Requests pass through unless a
 * rule matches; a dropped connection is a TCP close the client sees as a reset, with no answer.
 *
 * @example
 * const front = await startFrontProxy(merchant.port)
 * front.add((request) => request.headers['payment-signature'] !== undefined, { kind: 'drop-response' })
 * @throws {Error} when it cannot listen
 */
export async function startFrontProxy(port: number): Promise<FrontProxy> {
  let upstreamPort = port
  let held: Promise<void> = Promise.resolve()
  let resume = () => {}
  const rules = new Set<ActiveRule>()

  const server = createServer(async (request, response) => {
    const chunks: Buffer[] = []
    for await (const chunk of request) chunks.push(chunk as Buffer)
    const body = Buffer.concat(chunks)
    const seen: FrontRequest = {
      method: request.method ?? 'GET',
      path: request.url ?? '/',
      headers: request.headers,
      body: body.toString('utf8'),
    }
    const rule = [...rules].find((entry) => entry.left > 0 && entry.match(seen))
    if (rule !== undefined) rule.left--
    await held
    if (rule?.fault.kind === 'drop-request') {
      request.socket.destroy()
      rule.carried()
      return
    }
    const upstream = httpRequest({
      host: '127.0.0.1',
      port: upstreamPort,
      method: request.method,
      path: request.url,
      headers: request.headers,
      agent: false,
    })
    const drop = () => {
      upstream.destroy()
      request.socket.destroy()
    }
    if (rule?.fault.kind === 'drop-when') {
      void rule.fault.when.then(() => {
        drop()
        rule.carried()
      })
    }
    upstream.on('error', () => request.socket.destroy())
    upstream.on('response', (answer) => {
      if (rule?.fault.kind === 'drop-response') {
        answer.resume()
        answer.on('end', () => {
          drop()
          rule.carried()
        })
        return
      }
      response.writeHead(answer.statusCode ?? 502, answer.headers)
      answer.pipe(response)
      answer.on('error', () => request.socket.destroy())
    })
    upstream.end(body)
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port: own } = server.address() as AddressInfo

  return {
    url: `http://127.0.0.1:${own}`,
    route(next) {
      upstreamPort = next
    },
    add(match, fault, times = 1) {
      let carried = 0
      const waiters: { count: number; resolve(): void }[] = []
      const rule: ActiveRule = {
        match,
        fault,
        left: times,
        get hits() {
          return times - rule.left
        },
        carried() {
          carried++
          for (const waiter of waiters.filter((entry) => entry.count <= carried)) {
            waiters.splice(waiters.indexOf(waiter), 1)
            waiter.resolve()
          }
        },
        done: (count = 1) =>
          carried >= count ? Promise.resolve() : new Promise((resolve) => waiters.push({ count, resolve })),
        remove: () => rules.delete(rule),
      }
      rules.add(rule)
      return rule
    },
    pause() {
      held = new Promise((resolve) => {
        resume = resolve
      })
    },
    resume: () => resume(),
    close: () =>
      new Promise((resolve) => {
        resume()
        rules.clear()
        server.closeAllConnections()
        server.close(() => resolve())
      }),
  }
}
