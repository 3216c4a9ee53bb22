import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import type { RpcMethod } from './create-solana-rpc-methods.js'
import { JsonRpcError } from './json-rpc-error.js'
import { stringifyRpcJson } from './stringify-rpc-json.js'

/** Options of {@link serveJsonRpc}. @internal */
export type ServeJsonRpcOptions = {
  methods: Readonly<Record<string, RpcMethod>>
  /** Port on 127.0.0.1; `0` picks a free one. */
  port: number
  /** Largest accepted request body, in bytes. */
  maxBodyBytes?: number
  /** Most calls in one batch. */
  maxBatch?: number
}

/** Counts of what a JSON-RPC server answered. */
export type JsonRpcStats = {
  /** HTTP requests received (a batch is one). */
  readonly requests: number
  /** Calls per method, batched or not. */
  readonly calls: Readonly<Record<string, number>>
}

/** A running JSON-RPC server. @internal */
export type JsonRpcServer = {
  url: string
  port: number
  stats(): JsonRpcStats
  resetStats(): void
  close(): Promise<void>
}

type Answer = {
  jsonrpc: '2.0'
  id: unknown
  result?: unknown
  error?: { code: number; message: string; data?: unknown }
}

/**
 * Serves JSON-RPC 2.0 over HTTP on 127.0.0.1 with `node:http`: single calls and batches, bounded
 * bodies and batch sizes, and a validator's error codes (`-32700`, `-32600`, `-32601`, `-32602`).
 * @internal
 */
export async function serveJsonRpc(options: ServeJsonRpcOptions): Promise<JsonRpcServer> {
  const maxBodyBytes = options.maxBodyBytes ?? 256 * 1024
  const maxBatch = options.maxBatch ?? 100
  let requests = 0
  let calls: Record<string, number> = {}

  const call = async (request: unknown): Promise<Answer> => {
    const { id = null, method, params = [], jsonrpc } = (request ?? {}) as Record<string, unknown>
    if (typeof request !== 'object' || request === null || jsonrpc !== '2.0' || typeof method !== 'string') {
      return { jsonrpc: '2.0', id, error: { code: -32600, message: 'Invalid request' } }
    }
    const handler = Object.hasOwn(options.methods, method) ? options.methods[method] : undefined
    if (handler === undefined)
      return { jsonrpc: '2.0', id, error: { code: -32601, message: 'Method not found' } }
    calls[method] = (calls[method] ?? 0) + 1
    if (!Array.isArray(params)) {
      return { jsonrpc: '2.0', id, error: { code: -32602, message: 'Invalid params: expected an array' } }
    }
    try {
      return { jsonrpc: '2.0', id, result: await handler(params) }
    } catch (error) {
      if (error instanceof JsonRpcError) {
        return {
          jsonrpc: '2.0',
          id,
          error: {
            code: error.code,
            message: error.message,
            ...(error.data === undefined ? {} : { data: error.data }),
          },
        }
      }
      return {
        jsonrpc: '2.0',
        id,
        error: { code: -32603, message: `Internal error: ${(error as Error).message}` },
      }
    }
  }

  const respond = (response: ServerResponse, status: number, body: string, type = 'application/json') => {
    response.writeHead(status, { 'content-type': type, 'content-length': Buffer.byteLength(body) })
    response.end(body)
  }

  const handle = async (request: IncomingMessage, response: ServerResponse): Promise<void> => {
    if (request.method === 'GET' && request.url === '/health')
      return respond(response, 200, 'ok', 'text/plain')
    if (request.method !== 'POST') return respond(response, 405, 'Method Not Allowed', 'text/plain')
    requests++
    const text = await readBody(request, maxBodyBytes)
    if (text === undefined) {
      response.setHeader('connection', 'close')
      return respond(response, 413, 'Payload Too Large', 'text/plain')
    }
    let body: unknown
    try {
      body = JSON.parse(text)
    } catch {
      return respond(
        response,
        200,
        stringifyRpcJson({ jsonrpc: '2.0', id: null, error: { code: -32700, message: 'Parse error' } }),
      )
    }
    if (!Array.isArray(body)) return respond(response, 200, stringifyRpcJson(await call(body)))
    if (body.length === 0 || body.length > maxBatch) {
      const message = body.length === 0 ? 'Invalid request' : `Batch larger than ${maxBatch} calls`
      return respond(
        response,
        200,
        stringifyRpcJson({ jsonrpc: '2.0', id: null, error: { code: -32600, message } }),
      )
    }
    // Calls of a batch run in order: each sees the state the previous one left.
    const answers: Answer[] = []
    for (const entry of body) answers.push(await call(entry))
    respond(response, 200, stringifyRpcJson(answers))
  }

  const server = createServer((request, response) => {
    handle(request, response).catch(() => {
      if (!response.headersSent) respond(response, 500, 'Internal Server Error', 'text/plain')
      else response.destroy()
    })
  })
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(options.port, '127.0.0.1', () => {
      server.off('error', reject)
      resolve()
    })
  })
  // Never keep the process alive for the sake of a test server.
  server.unref()
  const { port } = server.address() as AddressInfo
  let closing: Promise<void> | undefined
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    stats: () => ({ requests, calls: { ...calls } }),
    resetStats: () => {
      requests = 0
      calls = {}
    },
    close: () => {
      closing ??= new Promise<void>((resolve) => {
        server.close(() => resolve())
        server.closeAllConnections()
      })
      return closing
    },
  }
}

/** Reads a body up to `maxBytes`; past that it resolves undefined and discards the rest unbuffered. */
function readBody(request: IncomingMessage, maxBytes: number): Promise<string | undefined> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = []
    let size = 0
    let over = false
    request.on('data', (chunk: Buffer) => {
      if (over) return
      size += chunk.length
      if (size <= maxBytes) {
        chunks.push(chunk)
        return
      }
      // Keep draining (so the client can read the 413) without keeping anything.
      over = true
      chunks.length = 0
      resolve(undefined)
    })
    request.on('end', () => {
      if (!over) resolve(Buffer.concat(chunks).toString('utf8'))
    })
    request.on('error', reject)
  })
}
