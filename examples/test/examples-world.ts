import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { type Devnet, startDevnet, testUsdcAbi } from '@tollgate/testkit'
import { afterAll, beforeAll, expect } from 'vitest'
import { freePort, startExample } from './run-example.js'

/** The example servers a test file may start, by name: the README example each one runs. */
const SERVER_FILES = {
  devnetApi: 'src/devnet-api.ts',
  expressApp: 'src/express-app.ts',
  honoApp: 'src/hono-app.ts',
  honoRoute: 'src/hono-route.ts',
} as const

/** A server the examples world can start. */
export type ExampleServer = keyof typeof SERVER_FILES

/** What a test file of README examples shares: its own devnet, scratch folder and servers. */
export type ExamplesWorld = {
  devnet: Devnet
  /** A folder removed after the file. */
  scratch: string
  /** Base URLs of the servers the file asked for. */
  servers: Record<ExampleServer, string>
  /** Run after the file, in reverse: servers and processes the tests started. */
  stops: (() => Promise<void>)[]
}

/** The payee of every example (devnet account 9). */
export const payTo = '0xa0Ee7A142d267C1f36714E4a8F75612F20a79720' as const

/** The current file's world; filled before its first test. */
export const world = {
  stops: [],
  servers: { devnetApi: '', expressApp: '', honoApp: '', honoRoute: '' },
} as unknown as ExamplesWorld

/**
 * Starts, for the calling test file, a devnet, a scratch folder and the example servers it names,
 * and stops them after it. Each file has its own, so files run side by side without sharing a
 * chain or a payee balance.
 *
 * @example useExamplesWorld(['expressApp'])
 */
export function useExamplesWorld(servers: readonly ExampleServer[]): void {
  beforeAll(async () => {
    world.devnet = await startDevnet()
    expect(world.devnet.accounts[9]!.address).toBe(payTo)
    world.scratch = mkdtempSync(join(tmpdir(), 'tollgate-examples-'))
    for (const name of servers) {
      const port = await freePort()
      const env = { RPC_URL: world.devnet.rpcUrl, PORT: String(port) }
      const server = await startExample(SERVER_FILES[name], env, /listening/)
      world.stops.push(server.stop)
      world.servers[name] = `http://127.0.0.1:${port}`
    }
  })
  afterAll(async () => {
    for (const stop of world.stops.splice(0).reverse()) await stop()
    await world.devnet?.stop()
    if (world.scratch) rmSync(world.scratch, { recursive: true, force: true })
  })
}

/** The devnet USDC balance of `address`, read from the chain. */
export const usdcOf = (address: `0x${string}`) =>
  world.devnet.publicClient.readContract({
    address: world.devnet.tokens.usdc.address,
    abi: testUsdcAbi,
    functionName: 'balanceOf',
    args: [address],
  })

/** The environment of an agent example: the devnet, devnet account `account` as payer, the API. */
export const envOf = (account: number, apiUrl = world.servers.expressApp) => ({
  RPC_URL: world.devnet.rpcUrl,
  AGENT_KEY: world.devnet.accounts[account]!.privateKey,
  API_URL: apiUrl,
})

/** Runs `body` and returns how much USDC reached the examples' payee meanwhile. */
export async function received(body: () => Promise<unknown>): Promise<bigint> {
  const before = await usdcOf(payTo)
  await body()
  return (await usdcOf(payTo)) - before
}
