import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'

/** One JSON-RPC call as the proxy sees it. */
export type RpcCall = { id?: unknown; method: string; params?: unknown[] }

/** What a rule does to the HTTP request that carries a matching call. */
export type RpcFault =
  /** Holds the whole request until {@link RpcRule.release}. */
  | { kind: 'hold' }
  /** Closes the connection without an answer. */
  | { kind: 'drop' }
  /** Answers HTTP 200 with a body that is not JSON. */
  | { kind: 'garbage' }
  /** Answers the call with a JSON-RPC error. */
  | { kind: 'error'; message: string }
  /** Forwards the call, then replaces its result. */
  | { kind: 'rewrite'; result: (result: unknown) => unknown }
  /** Forwards the request (the node acts on it), then closes the connection without the answer. */
  | { kind: 'forward-then-drop' }
  /** Forwards the request (the node acts on it), then answers this HTTP status instead. */
  | { kind: 'forward-then-status'; status: number }

/** A fault applied to calls that match. */
export type RpcRule = {
  /** How many requests it matched so far. */
  readonly hits: number
  /** Resolves once it matched `count` requests. */
  waitForHits(count: number): Promise<void>
  /** Lets every held request (and every later one) through. */
  release(): void
  /** Stops applying the rule (and releases what it holds). */
  remove(): void
}

/** An HTTP JSON-RPC proxy in front of a node, that can delay, drop and lie. */
export type RpcProxy = {
  url: string
  /**
   * Adds a fault for the calls `match` selects (it also sees the whole batch); with `times`, the
   * rule applies to that many requests only, and lets later ones through untouched.
   */
  add(
    match: (call: RpcCall, batch: readonly RpcCall[]) => boolean,
    fault: RpcFault,
    options?: { times?: number },
  ): RpcRule
  close(): Promise<void>
}

type ActiveRule = RpcRule & {
  /** Requests the rule may still apply to. */
  left: number
  match(call: RpcCall, batch: readonly RpcCall[]): boolean
  fault: RpcFault
  released: Promise<void>
  hit(): void
}

/**
 * Starts a JSON-RPC proxy to `target` on 127.0.0.1: single calls and batches pass through unless
 * a rule matches one of their calls. Faults are per call (by method and parameters, such as one
 * transaction hash), so cases running at once do not disturb each other.
 *
 * @example
 * const proxy = await startRpcProxy(devnet.rpcUrl)
 * const rule = proxy.add((call) => call.params?.[0] === hash, { kind: 'hold' })
 * await rule.waitForHits(1); rule.release()
 * @throws {Error} when it cannot listen
 */
export async function startRpcProxy(target: string): Promise<RpcProxy> {
  const rules = new Set<ActiveRule>()

  const handle = async (request: IncomingMessage, response: ServerResponse): Promise<void> => {
    const chunks: Buffer[] = []
    for await (const chunk of request) chunks.push(chunk as Buffer)
    const body = Buffer.concat(chunks).toString('utf8')
    let parsed: RpcCall | RpcCall[]
    try {
      parsed = JSON.parse(body) as RpcCall | RpcCall[]
    } catch {
      response.writeHead(400).end()
      return
    }
    const calls = Array.isArray(parsed) ? parsed : [parsed]
    const matched = [...rules].filter(
      (rule) => rule.left > 0 && calls.some((call) => rule.match(call, calls)),
    )
    for (const rule of matched) {
      rule.left--
      rule.hit()
    }
    for (const rule of matched.filter((rule) => rule.fault.kind === 'hold')) await rule.released
    const active = matched.filter((rule) => rules.has(rule))
    if (active.some((rule) => rule.fault.kind === 'drop')) {
      request.socket.destroy()
      return
    }
    if (active.some((rule) => rule.fault.kind === 'garbage')) {
      response.writeHead(200, { 'content-type': 'application/json' }).end('<html>bad gateway</html>')
      return
    }
    const upstream = await fetch(target, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body,
    })
    if (active.some((rule) => rule.fault.kind === 'forward-then-drop')) {
      await upstream.arrayBuffer()
      request.socket.destroy()
      return
    }
    const failed = active.find((rule) => rule.fault.kind === 'forward-then-status')?.fault
    if (failed?.kind === 'forward-then-status') {
      await upstream.arrayBuffer()
      response.writeHead(failed.status, { 'content-type': 'text/plain' }).end('bad gateway')
      return
    }
    const answer = (await upstream.json()) as { id?: unknown; result?: unknown } | { id?: unknown }[]
    const answers = (Array.isArray(answer) ? answer : [answer]) as Record<string, unknown>[]
    for (const call of calls) {
      const slot = answers.find((entry) => entry.id === call.id)
      if (slot === undefined) continue
      for (const rule of active) {
        if (!rule.match(call, calls)) continue
        if (rule.fault.kind === 'error') {
          delete slot.result
          slot.error = { code: -32000, message: rule.fault.message }
        }
        if (rule.fault.kind === 'rewrite') slot.result = rule.fault.result(slot.result)
      }
    }
    const out = JSON.stringify(Array.isArray(answer) ? answers : answers[0])
    response.writeHead(200, { 'content-type': 'application/json' }).end(out)
  }

  const server = createServer((request, response) => {
    handle(request, response).catch(() => {
      if (!response.headersSent) response.writeHead(502).end()
      else response.destroy()
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo

  return {
    url: `http://127.0.0.1:${port}`,
    add(match, fault, options = {}) {
      let release: () => void = () => {}
      const released = new Promise<void>((resolve) => {
        release = resolve
      })
      let hits = 0
      const waiters: { count: number; resolve(): void }[] = []
      const rule: ActiveRule = {
        left: options.times ?? Number.POSITIVE_INFINITY,
        match,
        fault,
        released,
        get hits() {
          return hits
        },
        hit() {
          hits++
          for (const waiter of waiters.filter((entry) => entry.count <= hits)) {
            waiters.splice(waiters.indexOf(waiter), 1)
            waiter.resolve()
          }
        },
        waitForHits: (count) =>
          hits >= count ? Promise.resolve() : new Promise((resolve) => waiters.push({ count, resolve })),
        release,
        remove() {
          rules.delete(rule)
          release()
        },
      }
      rules.add(rule)
      return rule
    },
    close: () =>
      new Promise((resolve) => {
        for (const rule of rules) rule.remove()
        server.closeAllConnections()
        server.close(() => resolve())
      }),
  }
}
