import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import type { Express } from 'express'

/** An app listening on loopback. */
export type ListeningApp = { url: string; close(): Promise<void> }

/**
 * Serves an Express app on 127.0.0.1 and a free port.
 *
 * @example const { url, close } = await listenApp(app)
 */
export async function listenApp(app: Express): Promise<ListeningApp> {
  const server = createServer(app)
  // autocannon keeps its connections open for the whole run; Node's 5 s default would cut idle ones.
  server.keepAliveTimeout = 60_000
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections()
        server.close(() => resolve())
      }),
  }
}
