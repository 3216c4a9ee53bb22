import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'

type Call = { jsonrpc: '2.0'; id: unknown; method: string; params?: unknown[] }
type Answer = { jsonrpc: '2.0'; id: unknown; result?: unknown; error?: unknown }

/** What the proxy does with a call: forward it (optionally rewriting the answer), or fail it. */
export type ProxyRule = {
  /** Rewrites the upstream answer's `result`. */
  result?: (result: unknown, call: Call) => unknown
  /** Answers with this JSON-RPC error instead of forwarding. */
  error?: { code: number; message: string }
  /** Answers the whole HTTP request with this status and no JSON. */
  httpStatus?: number
  /** Waits this long before answering. */
  delayMs?: number
  /** Pads the answer to at least this many bytes. */
  padToBytes?: number
}

/**
 * A JSON-RPC proxy in front of a real node (the Solana devnet) that can rewrite, delay or fail
 * chosen methods: the real answers, bent the way a broken or hostile node would bend them.
 */
export async function startRpcProxy(upstream: string) {
  const rules = new Map<string, ProxyRule>()
  const seen: string[] = []
  const server = createServer((request, response) => {
    // An upstream that is gone (a request still in flight when its test file stopped the devnet)
    // is a 502, as from any proxy, never an unhandled rejection in the test worker.
    forward(request, response).catch(() => {
      if (!response.headersSent) response.writeHead(502)
      response.end()
    })
  })
  const forward = async (request: IncomingMessage, response: ServerResponse) => {
    const chunks: Buffer[] = []
    for await (const chunk of request) chunks.push(chunk as Buffer)
    const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as Call | Call[]
    const calls = Array.isArray(body) ? body : [body]
    for (const call of calls) seen.push(call.method)
    const applying = calls.map((call) => rules.get(call.method)).filter((rule) => rule !== undefined)
    const delay = Math.max(0, ...applying.map((rule) => rule.delayMs ?? 0))
    if (delay > 0) await new Promise((resolve) => setTimeout(resolve, delay))
    const status = applying.find((rule) => rule.httpStatus !== undefined)?.httpStatus
    if (status !== undefined) {
      response.writeHead(status).end('unavailable')
      return
    }
    const forwarded = await fetch(upstream, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(calls),
    })
    // Keep u64s exact: rewrite on the parsed answer, numbers beyond 2^53 do not occur in what tests touch.
    const answers = (await forwarded.json()) as Answer[]
    const out = answers.map((answer, index) => {
      const call = calls[index] as Call
      const rule = rules.get(call.method)
      if (rule?.error !== undefined) return { jsonrpc: '2.0', id: answer.id, error: rule.error }
      if (rule?.result !== undefined && answer.error === undefined) {
        return { ...answer, result: rule.result(answer.result, call) }
      }
      return answer
    })
    let text = JSON.stringify(Array.isArray(body) ? out : out[0])
    const pad = Math.max(0, ...applying.map((rule) => rule.padToBytes ?? 0))
    if (pad > text.length) text = `${text}${' '.repeat(pad - text.length)}`
    response.writeHead(200, { 'content-type': 'application/json' }).end(text)
  }
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    /** Sets (or with `undefined`, clears) the rule for a method. */
    rule(method: string, rule: ProxyRule | undefined) {
      if (rule === undefined) rules.delete(method)
      else rules.set(method, rule)
    },
    /** Methods called so far, in order. */
    seen,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve())
        server.closeAllConnections()
      }),
  }
}
