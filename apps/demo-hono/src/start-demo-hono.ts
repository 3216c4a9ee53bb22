import type { AddressInfo } from 'node:net'
import { serve } from '@hono/node-server'
import type { CreateDemoApiOptions } from '@tollgate/demo-api'
import { createDemoHono, type DemoHono } from './create-demo-hono.js'

/** Options of {@link startDemoHono}: those of `createDemoHono`, plus where to listen. */
export type StartDemoHonoOptions = CreateDemoApiOptions & {
  /** TCP port; default `0`, a free port chosen by the operating system. */
  port?: number
  /** Interface to listen on; default `"127.0.0.1"`. */
  host?: string
}

/** A listening Hono demo. */
export type RunningDemoHono = DemoHono & {
  /** Base URL, such as `"http://127.0.0.1:4022"`. */
  url: string
  /** Stops listening and closes open connections. */
  close(): Promise<void>
}

/**
 * Creates the Hono demo and serves it on Node (`@hono/node-server`), on 127.0.0.1 and a free port
 * by default.
 *
 * @example
 * const api = await startDemoHono({ rpcUrl, network: 'eip155:31337', asset, payTo, secret })
 * await fetch(`${api.url}/health`)
 * await api.close()
 * @throws {TollgateError} `config_invalid` for invalid options; the listen error when the port is taken
 */
export async function startDemoHono(options: StartDemoHonoOptions): Promise<RunningDemoHono> {
  const { port = 0, host = '127.0.0.1', ...demoOptions } = options
  const demo = createDemoHono(demoOptions)
  const server = serve({ fetch: demo.app.fetch, port, hostname: host })
  await new Promise<void>((resolve, reject) => {
    server.once('listening', resolve)
    server.once('error', reject)
  })
  const address = server.address() as AddressInfo
  let closed: Promise<void> | undefined
  return {
    ...demo,
    url: `http://${address.address}:${address.port}`,
    close() {
      closed ??= new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()))
        ;(server as unknown as { closeAllConnections(): void }).closeAllConnections()
      })
      return closed
    },
  }
}
