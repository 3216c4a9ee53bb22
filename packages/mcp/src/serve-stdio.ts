import type { Readable, Writable } from 'node:stream'
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js'
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js'

/** Options of {@link serveStdio}. */
export type ServeStdioOptions = {
  /** Where messages come from. Default `process.stdin`. */
  stdin?: Readable
  /** Where messages go. Default `process.stdout`: nothing else may write there, so log to stderr. */
  stdout?: Writable
}

/** A server answering on stdio. */
export type StdioServing = {
  /** Resolves when the connection is closed: the client closed stdin, or {@link StdioServing.close} ran. */
  closed: Promise<void>
  /** Closes the connection. */
  close(): Promise<void>
}

/**
 * Serves an MCP server on stdin/stdout, the way MCP clients launch local servers. Stdout carries
 * only protocol messages, so diagnostics must go to stderr. The connection closes when the client
 * closes stdin.
 *
 * @example
 * const { closed } = await serveStdio(paidMcpServer({ client, tools }))
 * await closed
 * process.exit(0)
 */
export async function serveStdio(server: McpServer, options: ServeStdioOptions = {}): Promise<StdioServing> {
  const stdin = options.stdin ?? process.stdin
  const transport = new StdioServerTransport(stdin, options.stdout ?? process.stdout)
  let resolveClosed: () => void = () => {}
  const closed = new Promise<void>((resolve) => {
    resolveClosed = resolve
  })
  // Set before connecting: the server chains its own close handler after this one.
  transport.onclose = () => resolveClosed()
  const close = async () => {
    stdin.off('end', onEnd)
    await server.close()
  }
  const onEnd = () => void close()
  stdin.once('end', onEnd)
  await server.connect(transport)
  return { closed, close }
}
