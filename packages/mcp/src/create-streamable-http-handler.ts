import { randomUUID } from 'node:crypto'
import type { IncomingMessage, ServerResponse } from 'node:http'
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js'
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js'

/** Options of {@link createStreamableHttpHandler}. */
export type CreateStreamableHttpHandlerOptions = {
  /** Most open sessions; an initialize beyond it closes idle sessions first, else gets 503. Default 100. */
  maxSessions?: number
  /** Milliseconds without a request after which a session may be closed to make room. Default 1800000. */
  idleTimeoutMs?: number
  /**
   * Browser origins allowed to call the server. Requests with any other `Origin` header are refused
   * with 403, so a web page cannot make a local paying server spend (DNS rebinding). MCP clients
   * outside browsers send no `Origin`. Default none.
   */
  allowedOrigins?: readonly string[]
}

/** A node:http request handler for MCP Streamable HTTP, with its sessions. */
export type StreamableHttpHandler = {
  (request: IncomingMessage & { body?: unknown }, response: ServerResponse): Promise<void>
  /** Open sessions. */
  readonly sessions: number
  /** Closes every session. */
  close(): Promise<void>
}

type Session = { transport: StreamableHTTPServerTransport; lastActive: number }

/**
 * Serves MCP over Streamable HTTP from `node:http` (or Express: mount it on one path for GET,
 * POST and DELETE). Each session gets its own server from `createServer`, as the SDK expects (an
 * `McpServer` serves one connection); sessions are what let a tool ask the user mid-call through
 * elicitation. An Express-parsed `request.body` is used as is.
 *
 * @example
 * const handler = createStreamableHttpHandler(() => paidMcpServer({ client, tools }))
 * http.createServer(handler).listen(3000, '127.0.0.1')
 */
export function createStreamableHttpHandler(
  createServer: () => McpServer | Promise<McpServer>,
  options: CreateStreamableHttpHandlerOptions = {},
): StreamableHttpHandler {
  const maxSessions = options.maxSessions ?? 100
  const idleTimeoutMs = options.idleTimeoutMs ?? 1_800_000
  const allowedOrigins = new Set(options.allowedOrigins ?? [])
  const sessions = new Map<string, Session>()

  const handle = async (request: IncomingMessage & { body?: unknown }, response: ServerResponse) => {
    try {
      const origin = request.headers.origin
      if (origin !== undefined && !allowedOrigins.has(origin)) {
        return writeError(response, 403, -32000, 'Forbidden: origin not allowed')
      }
      const sessionId = request.headers['mcp-session-id']
      if (typeof sessionId === 'string') {
        const session = sessions.get(sessionId)
        if (session === undefined) return writeError(response, 404, -32001, 'Session not found')
        session.lastActive = Date.now()
        return await session.transport.handleRequest(request, response, request.body)
      }
      if (request.method !== 'POST') {
        return writeError(response, 400, -32000, 'Bad Request: No valid session ID provided')
      }
      if (!(await hasRoom(sessions, maxSessions, idleTimeoutMs))) {
        return writeError(response, 503, -32000, 'Too many open sessions')
      }
      await openSession(createServer, sessions, request, response)
    } catch {
      if (!response.headersSent) writeError(response, 500, -32603, 'Internal server error')
      else response.end()
    }
  }

  Object.defineProperty(handle, 'sessions', { get: () => sessions.size })
  return Object.assign(handle, {
    close: async () => {
      await Promise.all([...sessions.values()].map((session) => session.transport.close()))
      sessions.clear()
    },
  }) as StreamableHttpHandler
}

/** Makes room for a new session by closing idle ones when full; false when still full. */
async function hasRoom(
  sessions: Map<string, Session>,
  maxSessions: number,
  idleTimeoutMs: number,
): Promise<boolean> {
  if (sessions.size < maxSessions) return true
  const idleBefore = Date.now() - idleTimeoutMs
  for (const session of sessions.values()) {
    if (session.lastActive < idleBefore) await session.transport.close()
  }
  return sessions.size < maxSessions
}

/** Serves a request without a session, which must be an initialize; the transport refuses anything else. */
async function openSession(
  createServer: () => McpServer | Promise<McpServer>,
  sessions: Map<string, Session>,
  request: IncomingMessage & { body?: unknown },
  response: ServerResponse,
): Promise<void> {
  const transport = new StreamableHTTPServerTransport({
    sessionIdGenerator: () => randomUUID(),
    onsessioninitialized: (id) => {
      sessions.set(id, { transport, lastActive: Date.now() })
    },
  })
  transport.onclose = () => {
    if (transport.sessionId !== undefined) sessions.delete(transport.sessionId)
  }
  const server = await createServer()
  await server.connect(transport)
  await transport.handleRequest(request, response, request.body)
  if (transport.sessionId === undefined) await server.close()
}

function writeError(response: ServerResponse, status: number, code: number, message: string): void {
  response
    .writeHead(status, { 'content-type': 'application/json' })
    .end(JSON.stringify({ jsonrpc: '2.0', error: { code, message }, id: null }))
}
