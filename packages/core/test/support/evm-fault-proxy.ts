import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'

type Call = { jsonrpc: '2.0'; id: unknown; method: string; params?: unknown[] }
type Answer = { jsonrpc: '2.0'; id: unknown; result?: unknown; error?: unknown }

/** A fault for the HTTP requests that carry a call of one method. */
export type EvmFault = {
  /**
   * `answer`: forward to the node, then answer HTTP 502 (the node acted, the caller never learns).
   * `request`: answer HTTP 502 without forwarding (the node never sees it).
   */
  lose?: 'answer' | 'request'
  /** Rewrites the node's `result` of this method (e.g. `() => null` hides receipts). */
  result?: (result: unknown) => unknown
  /** Waits this long before forwarding. */
  delayMs?: number
  /** Applies to this many requests, then clears itself. Default: until cleared. */
  times?: number
}

/**
 * A JSON-RPC proxy in front of anvil that counts every call by method and injects faults: answers
 * lost after the node acted, requests dropped before it, rewritten results, delays. Tests wait for
 * counts (`waitForCalls`), never for time.
 */
export async function startEvmFaultProxy(upstream: string) {
  const faults = new Map<string, EvmFault & { left: number }>()
  const counts = new Map<string, number>()
  const waiters: { method: string; count: number; resolve: () => void }[] = []

  const count = (method: string) => {
    counts.set(method, (counts.get(method) ?? 0) + 1)
    for (const waiter of [...waiters]) {
      if ((counts.get(waiter.method) ?? 0) >= waiter.count) {
        waiters.splice(waiters.indexOf(waiter), 1)
        waiter.resolve()
      }
    }
  }

  const server = createServer(async (request, response) => {
    const chunks: Buffer[] = []
    for await (const chunk of request) chunks.push(chunk as Buffer)
    const text = Buffer.concat(chunks).toString('utf8')
    const body = JSON.parse(text) as Call | Call[]
    const calls = Array.isArray(body) ? body : [body]
    const applying: EvmFault[] = []
    for (const call of calls) {
      const fault = faults.get(call.method)
      if (fault !== undefined && !applying.includes(fault)) {
        applying.push(fault)
        if (--fault.left <= 0) faults.delete(call.method)
      }
    }
    const delay = Math.max(0, ...applying.map((fault) => fault.delayMs ?? 0))
    if (delay > 0) await new Promise((resolve) => setTimeout(resolve, delay))
    if (applying.some((fault) => fault.lose === 'request')) {
      for (const call of calls) count(`dropped:${call.method}`)
      response.writeHead(502).end('bad gateway')
      return
    }
    const forwarded = await fetch(upstream, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: text,
    }).catch(() => undefined)
    const answerText = forwarded === undefined ? undefined : await forwarded.text()
    for (const call of calls) count(call.method)
    if (answerText === undefined || applying.some((fault) => fault.lose === 'answer')) {
      response.writeHead(502).end('bad gateway')
      return
    }
    const parsed = JSON.parse(answerText) as Answer | Answer[]
    const answers = Array.isArray(parsed) ? parsed : [parsed]
    const out = answers.map((answer) => {
      const call = calls.find((candidate) => candidate.id === answer.id)
      const rewrite =
        call === undefined ? undefined : applying.find((fault) => fault === faultFor(call.method))
      return rewrite?.result !== undefined && answer.error === undefined
        ? { ...answer, result: rewrite.result(answer.result) }
        : answer
    })
    response
      .writeHead(200, { 'content-type': 'application/json' })
      .end(JSON.stringify(Array.isArray(parsed) ? out : out[0]))
  })
  // Faults that were cleared by `times` still rewrite the request they applied to.
  const applied = new Map<string, EvmFault>()
  const faultFor = (method: string) => applied.get(method)

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    /** Sets (or with `undefined`, clears) the fault of a method. */
    fault(method: string, fault: EvmFault | undefined) {
      if (fault === undefined) {
        faults.delete(method)
        applied.delete(method)
        return
      }
      const entry = { ...fault, left: fault.times ?? Number.POSITIVE_INFINITY }
      faults.set(method, entry)
      applied.set(method, entry)
    },
    /** Calls of `method` forwarded to the node so far (`dropped:<method>` for dropped ones). */
    calls: (method: string) => counts.get(method) ?? 0,
    /** Resolves once `method` was forwarded `count` times in all. */
    waitForCalls: (method: string, count: number) =>
      new Promise<void>((resolve) => {
        if ((counts.get(method) ?? 0) >= count) resolve()
        else waiters.push({ method, count, resolve })
      }),
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve())
        server.closeAllConnections()
      }),
  }
}
