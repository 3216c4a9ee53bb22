import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { startWorld, type World } from '../../attack/src/start-world.js'
import { type FrontProxy, startFrontProxy } from './start-front-proxy.js'

/** The attack suite's world (devnet, Redis, RPC proxy, two merchants) behind a front proxy. */
export type FaultWorld = {
  world: World
  /** Between the paying client and the gates: drops either way, holds, and picks the instance. */
  front: FrontProxy
  /** Where the runs keep their clients' ledger files. */
  directory: string
  /** Makes sure every handler event the merchants sent so far has arrived (an IPC round trip to each). */
  settle(): Promise<void>
  stop(): Promise<void>
}

const script = fileURLToPath(new URL('./fault-merchant.ts', import.meta.url))

/**
 * Starts the matrix's world: anvil, a persistent `redis-server`, the RPC proxy in front of anvil,
 * two `fault-merchant` processes on that Redis (instance 0 answers unless a run routes to 1), and
 * the front proxy the clients reach them through, which is also the merchants' public origin.
 *
 * @example const faults = await startFaultWorld()
 * @throws {Error} when a component does not start
 */
export async function startFaultWorld(): Promise<FaultWorld> {
  // The merchants' public origin must be the proxy's: start it first, pointed nowhere yet.
  const front = await startFrontProxy(0)
  const world = await startWorld({ script, publicUrl: front.url })
  front.route(world.merchants[0].port)
  const directory = mkdtempSync(join(tmpdir(), 'tollgate-faults-'))
  return {
    world,
    front,
    directory,
    // Handler events and this answer travel the same IPC channel, in order.
    settle: () => world.setClock(0),
    async stop() {
      await front.close()
      await world.stop()
      rmSync(directory, { recursive: true, force: true })
    },
  }
}
