import { once } from 'node:events'
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { Counter, type OpenMetricsContentType, Registry } from 'prom-client'
import { afterEach, describe, expect, test } from 'vitest'
import { createMetricsHandler } from './create-metrics-handler.js'

const closers: (() => void)[] = []
afterEach(() => {
  for (const close of closers.splice(0)) close()
})

/** Serves `registry` with a plain `node:http` server, the handler as its request listener. */
async function serve(registry: Registry<OpenMetricsContentType> | Registry) {
  const server = createServer(createMetricsHandler(registry))
  server.listen(0, '127.0.0.1')
  await once(server, 'listening')
  closers.push(() => {
    server.closeAllConnections()
    server.close()
  })
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}/metrics`
}

describe('createMetricsHandler', () => {
  test('default: GET serves the exposition with the registry content type', async () => {
    const registry = new Registry()
    new Counter({ name: 'demo_total', help: 'A demo counter.', registers: [registry] }).inc(3)
    const response = await fetch(await serve(registry))
    expect(response.status).toBe(200)
    expect(response.headers.get('content-type')).toBe('text/plain; version=0.0.4; charset=utf-8')
    expect(response.headers.get('cache-control')).toBe('no-store')
    expect(await response.text()).toMatchInlineSnapshot(`
      "# HELP demo_total A demo counter.
      # TYPE demo_total counter
      demo_total 3
      "
    `)
  })

  test('behavior: HEAD answers headers only; the OpenMetrics content type is kept', async () => {
    const registry = new Registry<OpenMetricsContentType>()
    registry.setContentType(Registry.OPENMETRICS_CONTENT_TYPE)
    const response = await fetch(await serve(registry), { method: 'HEAD' })
    expect(response.status).toBe(200)
    expect(response.headers.get('content-type')).toBe(Registry.OPENMETRICS_CONTENT_TYPE)
    expect(await response.text()).toBe('')
  })

  test('error: other methods get 405 with Allow', async () => {
    const response = await fetch(await serve(new Registry()), { method: 'POST', body: 'x' })
    expect([response.status, response.headers.get('allow'), await response.text()]).toEqual([
      405,
      'GET, HEAD',
      'Method Not Allowed\n',
    ])
  })

  test('error: a collector that fails -> 500, and the server keeps serving', async () => {
    const registry = new Registry()
    let failing = true
    new Counter({
      name: 'flaky_total',
      help: 'Fails to collect once.',
      registers: [registry],
      collect() {
        if (failing) {
          failing = false
          throw new Error('collector exploded')
        }
      },
    })
    const url = await serve(registry)
    const failed = await fetch(url)
    expect([failed.status, await failed.text()]).toEqual([500, 'The metrics could not be collected.\n'])
    const recovered = await fetch(url)
    expect(recovered.status).toBe(200)
  })
})
