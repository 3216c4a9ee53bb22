import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
// The built testkit, as the tests import it: this file lives outside any package.
import { type Devnet, startDevnet } from '../../packages/testkit/dist/index.js'

/** The environment variable that hands the pool's address to the test workers. */
export const devnetPoolVariable = 'TOLLGATE_TEST_DEVNET_POOL'

type Entry = { devnet: Devnet; pristine: `0x${string}` }

/**
 * Vitest `globalSetup` of an integration project: one devnet per test worker, started the first
 * time a worker asks for it and kept for the whole run. Before each lease the devnet is reverted
 * to the snapshot taken right after its tokens were deployed (`evm_revert` also resets the chain
 * clock) and automine is switched back on, so every test file starts from a fresh chain, as if
 * `startDevnet()` had just returned. Workers ask over HTTP on 127.0.0.1 (see `pooled-testkit.ts`).
 */
export default async function setup(): Promise<() => Promise<void>> {
  const devnets = new Map<string, Promise<Entry>>()
  const lease = async (worker: string) => {
    let entry = devnets.get(worker)
    if (entry === undefined) {
      entry = startDevnet().then(async (devnet) => ({ devnet, pristine: await devnet.snapshot() }))
      devnets.set(worker, entry)
      entry.catch(() => devnets.delete(worker))
    }
    const { devnet, pristine } = await entry
    await devnet.revert(pristine)
    await devnet.testClient.setAutomine(true)
    const next = await devnet.snapshot()
    devnets.set(worker, Promise.resolve({ devnet, pristine: next }))
    return devnet.toJSON()
  }
  const server = createServer((request, response) => {
    const worker = new URL(request.url ?? '/', 'http://127.0.0.1').searchParams.get('worker') ?? '0'
    lease(worker).then(
      (json) => response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(json)),
      (error: unknown) => response.writeHead(500).end(error instanceof Error ? error.message : String(error)),
    )
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  process.env[devnetPoolVariable] = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  return async () => {
    delete process.env[devnetPoolVariable]
    server.closeAllConnections()
    await new Promise((resolve) => server.close(resolve))
    const started = await Promise.allSettled(devnets.values())
    await Promise.all(
      started.map((entry) => (entry.status === 'fulfilled' ? entry.value.devnet.stop() : undefined)),
    )
  }
}
