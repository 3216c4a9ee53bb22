import type { AddressInfo } from 'node:net'
import { createAdaptorServer } from '@hono/node-server'
import type { ListeningApp } from './listen-app.js'

/**
 * Serves a fetch handler (a Hono app's `fetch`) on 127.0.0.1 and a free port with
 * `@hono/node-server`, with the same keep-alive as the Express servers.
 *
 * @example const { url, close } = await listenFetch(app.fetch)
 */
export async function listenFetch(
  fetch: (request: Request) => Response | Promise<Response>,
): Promise<ListeningApp> {
  const server = createAdaptorServer({ fetch }) as import('node:http').Server
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
