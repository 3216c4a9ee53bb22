import { once } from 'node:events'
import type { AddressInfo } from 'node:net'
import { type CreateDemoApiOptions, createDemoApi, type DemoApi } from './create-demo-api.js'

/** Options of {@link startDemoApi}: those of `createDemoApi`, plus where to listen. */
export type StartDemoApiOptions = CreateDemoApiOptions & {
  /** TCP port; default `0`, a free port chosen by the operating system. */
  port?: number
  /** Interface to listen on; default `"127.0.0.1"`. */
  host?: string
}

/** A listening demo API. */
export type RunningDemoApi = DemoApi & {
  /** Base URL, such as `"http://127.0.0.1:4021"`. */
  url: string
  /** Stops listening and closes open connections. */
  close(): Promise<void>
}

/**
 * Creates the demo API and starts listening, on 127.0.0.1 and a free port by default.
 *
 * @example
 * const api = await startDemoApi({ rpcUrl, network: 'eip155:31337', asset, payTo, secret })
 * await fetch(`${api.url}/health`)
 * await api.close()
 * @throws {TollgateError} `config_invalid` for invalid options; the listen error when the port is taken
 */
export async function startDemoApi(options: StartDemoApiOptions): Promise<RunningDemoApi> {
  const { port = 0, host = '127.0.0.1', ...demoOptions } = options
  const demo = createDemoApi(demoOptions)
  const server = demo.app.listen(port, host)
  await Promise.race([
    once(server, 'listening'),
    once(server, 'error').then(([error]) => Promise.reject(error)),
  ])
  const address = server.address() as AddressInfo
  const url = `http://${address.family === 'IPv6' ? `[${address.address}]` : address.address}:${address.port}`
  let closed: Promise<void> | undefined
  return {
    ...demo,
    url,
    close() {
      closed ??= new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()))
        server.closeAllConnections()
      })
      return closed
    },
  }
}
