import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { createJsonRpc } from '@tollgate/core/evm'
import { afterEach, describe, expect, test } from 'vitest'

type Node = { url: string; requests: number; closed: number }

const servers: Server[] = []

afterEach(async () => {
  for (const server of servers.splice(0)) {
    server.closeAllConnections()
    await new Promise((resolve) => server.close(resolve))
  }
})

/** A loopback JSON-RPC node run by `answer`, counting the requests it got and the ones whose client hung up. */
async function startNode(
  answer: (request: IncomingMessage, response: ServerResponse) => void,
): Promise<Node> {
  const node: Node = { url: '', requests: 0, closed: 0 }
  const server = createServer((request, response) => {
    node.requests++
    response.on('close', () => {
      if (!response.writableFinished) node.closed++
    })
    answer(request, response)
  })
  servers.push(server)
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  node.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  return node
}

const silent = () => {}

async function until(condition: () => boolean): Promise<void> {
  while (!condition()) await new Promise((resolve) => setTimeout(resolve, 5))
}

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
    const node = await startNode((request, response) => {
      let body = ''
      request.on('data', (chunk) => {
        body += chunk
      })
      request.on('end', () => {
        const { id } = JSON.parse(body) as { id: number }
        response.setHeader('content-type', 'application/json')
        response.end(JSON.stringify({ jsonrpc: '2.0', id, result: '0x10' }))
      })
    })
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
