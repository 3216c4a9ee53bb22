import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo, Socket } from 'node:net'
import { createJsonRpc } from '@tollgate/core/evm'
import { afterEach, describe, expect, test } from 'vitest'

/** A loopback JSON-RPC node, counting what reached it. */
type Node = {
  url: string
  port: number
  /** Requests whose head arrived. */
  requests: number
  /** Requests whose client hung up before the answer was sent. */
  closed: number
  /** TCP connections accepted. */
  connections: number
  /** The `Authorization` header of each request. */
  authorizations: (string | undefined)[]
}

type Answer = (request: IncomingMessage, response: ServerResponse, node: Node, socket: Socket) => void

const servers: Server[] = []

afterEach(async () => {
  for (const server of servers.splice(0)) {
    server.closeAllConnections()
    await new Promise((resolve) => server.close(resolve))
  }
})

async function startNode(answer: Answer): Promise<Node> {
  const node: Node = { url: '', port: 0, requests: 0, closed: 0, connections: 0, authorizations: [] }
  const server = createServer((request, response) => {
    node.requests++
    node.authorizations.push(request.headers.authorization)
    response.on('close', () => {
      if (!response.writableFinished) node.closed++
    })
    answer(request, response, node, request.socket)
  })
  server.on('connection', () => {
    node.connections++
  })
  servers.push(server)
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  node.port = (server.address() as AddressInfo).port
  node.url = `http://127.0.0.1:${node.port}`
  return node
}

async function readBody(request: IncomingMessage): Promise<string> {
  let body = ''
  for await (const chunk of request) body += chunk
  return body
}

/** Answers each call of a request with `result`, as a node does. */
const answering =
  (result: unknown): Answer =>
  (request, response) => {
    void readBody(request).then((body) => {
      const { id } = JSON.parse(body) as { id: number }
      response.setHeader('content-type', 'application/json')
      response.end(JSON.stringify({ jsonrpc: '2.0', id, result }))
    })
  }

/**
 * Answers the first request with `result`, then drops the connection on the second, unanswered, as
 * a node whose idle timeout struck while the request was on its way does; answers the rest.
 */
const droppingSecond =
  (result: unknown): Answer =>
  (request, response, node, socket) => {
    if (node.requests === 2) socket.destroy()
    else answering(result)(request, response, node, socket)
  }

const silent: Answer = () => {}

async function until(condition: () => boolean): Promise<void> {
  while (!condition()) await new Promise((resolve) => setTimeout(resolve, 5))
}

describe('createJsonRpc transport', () => {
  test('default: round trips share one kept-alive connection', async () => {
    const node = await startNode(answering('0x10'))
    const rpc = createJsonRpc({ url: node.url })
    for (let call = 0; call < 20; call++) expect(await rpc.request('eth_blockNumber', [])).toBe('0x10')
    expect([node.requests, node.connections]).toEqual([20, 1])
    expect(rpc.stats).toEqual({ roundTrips: 20, calls: 20 })
  })

  test('behavior: a kept-alive connection the node dropped with the request unanswered is replaced, and the request sent once more', async () => {
    const node = await startNode(droppingSecond('0x20'))
    const rpc = createJsonRpc({ url: node.url })
    expect(await rpc.request('eth_blockNumber', [])).toBe('0x20')
    expect(await rpc.request('eth_blockNumber', [])).toBe('0x20')
    expect([node.requests, node.connections]).toEqual([3, 2])
  })

  test('error: a transaction send on a kept-alive connection the node dropped is not sent again', async () => {
    const node = await startNode(droppingSecond('0x30'))
    const rpc = createJsonRpc({ url: node.url })
    expect(await rpc.request('eth_blockNumber', [])).toBe('0x30')
    // The node may have taken it: the caller looks for it on chain instead of sending it twice.
    await expect(rpc.request('eth_sendRawTransaction', ['0x02'])).rejects.toMatchObject({
      code: 'rpc_unavailable',
      message: 'The RPC node is unreachable.',
    })
    expect(node.requests).toBe(2)
  })

  test('error: a new connection dropped with the request unanswered is not sent again', async () => {
    const node = await startNode((_request, _response, _node, socket) => socket.destroy())
    const rpc = createJsonRpc({ url: node.url })
    await expect(rpc.request('eth_sendRawTransaction', ['0x01'])).rejects.toMatchObject({
      code: 'rpc_unavailable',
      message: 'The RPC node is unreachable.',
    })
    expect(node.requests).toBe(1)
  })

  test('error: an answer cut off before its end is a failure, not a hang', async () => {
    const node = await startNode((_request, response, _node, socket) => {
      response.writeHead(200, { 'content-type': 'application/json', 'content-length': '100' })
      response.write('{"jsonrpc":"2.0","id":1,')
      setTimeout(() => socket.destroy(), 20)
    })
    const rpc = createJsonRpc({ url: node.url, timeoutMs: 60_000 })
    await expect(rpc.request('eth_blockNumber', [])).rejects.toMatchObject({
      code: 'rpc_unavailable',
      message: 'The RPC node is unreachable.',
    })
  })

  test('error: an answer larger than maxResponseBytes is dropped as it streams', async () => {
    const node = await startNode((_request, response) => {
      response.writeHead(200, { 'content-type': 'application/json' })
      const chunk = 'x'.repeat(16 * 1024)
      const write = () => {
        if (!response.destroyed) response.write(chunk, () => setImmediate(write))
      }
      write()
    })
    const rpc = createJsonRpc({ url: node.url, maxResponseBytes: 64 * 1024 })
    await expect(rpc.request('eth_getLogs', [{}])).rejects.toMatchObject({
      code: 'rpc_unavailable',
      message: 'The RPC answer is larger than 65536 bytes.',
    })
    await until(() => node.closed === 1)
  })

  test('error: an HTTP error status is reported with its status', async () => {
    const node = await startNode((_request, response) => {
      response.writeHead(502, { 'content-type': 'text/plain' })
      response.end('bad gateway')
    })
    const rpc = createJsonRpc({ url: node.url })
    await expect(rpc.request('eth_blockNumber', [])).rejects.toMatchObject({
      code: 'rpc_unavailable',
      retryAfter: 2,
      message: 'The RPC node answered HTTP 502.',
    })
  })

  test('behavior: credentials in the URL go as Basic authorization, never in the path', async () => {
    const node = await startNode(answering('0x1'))
    const rpc = createJsonRpc({ url: `http://user:p%40ss@127.0.0.1:${node.port}/v3/key` })
    expect(await rpc.request('eth_chainId', [])).toBe('0x1')
    expect(node.authorizations).toEqual([`Basic ${Buffer.from('user:p@ss').toString('base64')}`])
  })

  test('behavior: a given fetch carries every round trip', async () => {
    const node = await startNode(answering('0x2'))
    const urls: string[] = []
    const rpc = createJsonRpc({
      url: node.url,
      fetch: (input, init) => {
        urls.push(String(input))
        return fetch(input, init)
      },
    })
    expect(await rpc.request('eth_chainId', [])).toBe('0x2')
    expect(urls).toEqual([node.url])
  })
})

describe('createJsonRpc deadline', () => {
  test('error: a node that never answers is given up on after timeoutMs, and the request is dropped', async () => {
    const node = await startNode(silent)
    const rpc = createJsonRpc({ url: node.url, timeoutMs: 50 })
    await expect(rpc.request('eth_blockNumber', [])).rejects.toMatchObject({
      code: 'rpc_unavailable',
      retryAfter: 2,
      message: 'The RPC node did not answer within 50 ms.',
    })
    await until(() => node.closed === 1)
    expect(node.requests).toBe(1)
  })

  test('error: the caller leaving aborts the round trip at once, reported as unreachable, not as a timeout', async () => {
    const node = await startNode(silent)
    const rpc = createJsonRpc({ url: node.url, timeoutMs: 60_000 })
    const controller = new AbortController()
    const pending = rpc.request('eth_blockNumber', [], controller.signal)
    await until(() => node.requests === 1)
    controller.abort(new Error('the requester left'))
    await expect(pending).rejects.toMatchObject({
      code: 'rpc_unavailable',
      message: 'The RPC node is unreachable.',
    })
    await until(() => node.closed === 1)
  })

  test('error: a caller already gone sends nothing', async () => {
    const node = await startNode(silent)
    const rpc = createJsonRpc({ url: node.url })
    await expect(rpc.request('eth_blockNumber', [], AbortSignal.abort())).rejects.toMatchObject({
      code: 'rpc_unavailable',
    })
    expect(node.requests).toBe(0)
  })

  test('behavior: an answered round trip leaves no listener on the caller signal behind', async () => {
    const node = await startNode(answering('0x10'))
    const rpc = createJsonRpc({ url: node.url, timeoutMs: 60_000 })
    const controller = new AbortController()
    let added = 0
    let removed = 0
    const { addEventListener, removeEventListener } = controller.signal
    controller.signal.addEventListener = (...args: Parameters<typeof addEventListener>) => {
      added++
      addEventListener.apply(controller.signal, args)
    }
    controller.signal.removeEventListener = (...args: Parameters<typeof removeEventListener>) => {
      removed++
      removeEventListener.apply(controller.signal, args)
    }
    for (let call = 0; call < 20; call++)
      expect(await rpc.request('eth_blockNumber', [], controller.signal)).toBe('0x10')
    // A long-lived signal (a server's shutdown, say) gathers nothing from round trips that ended.
    expect(added).toBe(removed)
  })
})
