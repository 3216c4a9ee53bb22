// `@tollgate/testkit` as the integration tests see it: everything the package exports, except that
// `startDevnet()` with default options leases the test worker's devnet from the pool that
// `devnet-pool.ts` runs, instead of starting anvil and deploying the tokens again for every file.
// The lease is a fresh chain (reverted to its first snapshot); its `stop()` leaves the node to the
// pool. A second devnet in one file, or one with options, is started as before.
import {
  connectDevnet as connect,
  type Devnet,
  type StartDevnetOptions,
  startDevnet as startOwnDevnet,
} from '../../packages/testkit/dist/index.js'

// Everything else the package exports, by name (its public-API test lists them).
export {
  type Anvil,
  type AnvilAccount,
  connectDevnet,
  type Devnet,
  type DevnetAccount,
  type DevnetJson,
  type DevnetToken,
  type DevnetTokenName,
  type StartAnvilOptions,
  type StartDevnetOptions,
  startAnvil,
  testSmartWalletAbi,
  testSmartWalletBytecode,
  testUsdcAbi,
  testUsdcBytecode,
} from '../../packages/testkit/dist/index.js'

const poolVariable = 'TOLLGATE_TEST_DEVNET_POOL'
let leased = false

/** `startDevnet` of `@tollgate/testkit`, served from the worker's pooled devnet when it can be. */
export async function startDevnet(options: StartDevnetOptions = {}): Promise<Devnet> {
  const pool = process.env[poolVariable]
  if (pool === undefined || leased || Object.keys(options).length > 0) return startOwnDevnet(options)
  leased = true
  try {
    // Set by vitest in each worker: 1 to maxWorkers, unique among the workers running at once.
    // biome-ignore lint/suspicious/noUndeclaredEnvVars: vitest sets it; it never comes from outside
    const worker = process.env.VITEST_POOL_ID ?? '0'
    const response = await fetch(`${pool}/?worker=${worker}`)
    if (!response.ok) throw new Error(`the devnet pool answered ${response.status}: ${await response.text()}`)
    const devnet = connect(await response.json())
    return {
      ...devnet,
      toJSON: () => devnet.toJSON(),
      stop: async () => {
        leased = false
      },
    }
  } catch (error) {
    leased = false
    throw error
  }
}
