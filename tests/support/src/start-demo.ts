import { type Devnet, startDevnet } from '@tollgate/testkit'
import type { Address, LocalAccount } from 'viem'
import { privateKeyToAccount } from 'viem/accounts'

/**
 * The options {@link startDemo} passes to `startDemoApi` of `@tollgate/demo-api`: a part of its
 * `StartDemoApiOptions`, which each call site checks when it passes `startDemoApi`.
 */
export type DemoApiOptions = {
  rpcUrl: string
  network: Devnet['network']
  asset: {
    address: Address
    decimals: number
    symbol: string
    name: string
    eip712: { name: string; version: string }
  }
  payTo: Address
  secret: string
  settler?: LocalAccount
  host?: string
}

/** What {@link startDemo} needs of a running demo API (`RunningDemoApi` has more). */
export type DemoApiLike = { url: string; close(): Promise<void> }

/** A devnet and the demo API on it, paid to devnet account 9. */
export type Demo<Api extends DemoApiLike = DemoApiLike> = {
  devnet: Devnet
  api: Api
  payTo: Address
  /** Closes the API, then stops the devnet unless it was passed in. */
  stop(): Promise<void>
}

/** Options of {@link startDemo}. */
export type StartDemoOptions = {
  /** Signs the API's challenges and passes; default a fixed test secret. */
  secret?: string
  /**
   * Index of the devnet account that pays the gas of x402 `exact` settlements. Without one the
   * API accepts `tx` proofs only.
   */
  settler?: number
  /** Interface the API listens on; default the demo API's own (`127.0.0.1`). */
  host?: string
  /** A running devnet to use, left running by `stop()`; default a new one. */
  devnet?: Devnet
}

const defaultSecret = 'adapter-tests-secret-adapter-tests-secret'

/**
 * Starts anvil with the USDC-like token (unless `options.devnet` is given) and the demo API on
 * it, priced in the devnet's 6-decimal USDC and paid to account 9.
 *
 * `startDemoApi` is the one of `@tollgate/demo-api`, passed in by the caller: this package cannot
 * depend on the demo API, which depends on `@tollgate/express`, whose own tests use this package.
 *
 * @example
 * const demo = await startDemo(startDemoApi, { settler: 8 })
 * await fetch(`${demo.api.url}/health`)
 * await demo.stop()
 */
export async function startDemo<Api extends DemoApiLike>(
  startDemoApi: (options: DemoApiOptions) => Promise<Api>,
  options: StartDemoOptions = {},
): Promise<Demo<Api>> {
  const devnet = options.devnet ?? (await startDevnet())
  const stopDevnet = () => (options.devnet === undefined ? devnet.stop() : Promise.resolve())
  const payTo = devnet.accounts[9]!.address
  const { usdc } = devnet.tokens
  let api: Api
  try {
    api = await startDemoApi({
      rpcUrl: devnet.rpcUrl,
      network: devnet.network,
      asset: {
        address: usdc.address,
        decimals: 6,
        symbol: 'USDC',
        name: 'USD Coin',
        eip712: { name: usdc.name, version: usdc.version },
      },
      payTo,
      secret: options.secret ?? defaultSecret,
      ...(options.settler === undefined
        ? {}
        : { settler: privateKeyToAccount(devnet.accounts[options.settler]!.privateKey) }),
      ...(options.host ? { host: options.host } : {}),
    })
  } catch (error) {
    await stopDevnet()
    throw error
  }
  return {
    devnet,
    api,
    payTo,
    async stop() {
      await api.close()
      await stopDevnet()
    },
  }
}
