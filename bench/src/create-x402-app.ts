import type { DevnetJson } from '@tollgate/testkit'
import { x402Facilitator } from '@x402/core/facilitator'
import { toFacilitatorEvmSigner } from '@x402/evm'
import { ExactEvmScheme as ExactEvmFacilitatorScheme } from '@x402/evm/exact/facilitator'
import { ExactEvmScheme as ExactEvmServerScheme } from '@x402/evm/exact/server'
import { paymentMiddleware, x402ResourceServer } from '@x402/express'
import express, { type Express } from 'express'
import { createWalletClient, defineChain, type Hex, http, nonceManager, publicActions } from 'viem'
import { privateKeyToAccount } from 'viem/accounts'
import { searchLikeHandler } from './search-like-handler.js'

/** Options of {@link createX402App}. */
export type CreateX402AppOptions = {
  devnet: DevnetJson
  /** JSON-RPC endpoint of the facilitator's viem transport. */
  rpcUrl: string
  /** Key of the account that pays the facilitator's settlement gas. */
  settlerKey: Hex
  /** Milliseconds between receipt polls (viem's default is 4 s on a chain without block time). */
  receiptPollingMs: number
}

/** The reference stack's app and the JSON-RPC calls its facilitator made so far. */
export type X402App = { app: Express; rpcCalls(): number }

/**
 * Creates the reference stack: `@x402/express` selling `GET /api/search-like` for 1000 atomic
 * units of the devnet USDC through an in-process `x402Facilitator` (`@x402/core` + `@x402/evm`),
 * wired as its own examples wire it, plus the two fixes any real deployment needs: a nonce manager
 * on the settler (without it, concurrent settlements share a nonce and fail) and the same receipt
 * polling as our settler, so the comparison is of the designs, not of a timer. Its JSON-RPC calls
 * are counted in this process, where its transport hands each body to `fetch`, as the gate's own
 * client counts its round trips: nothing stands between either stack and the node.
 *
 * @example const { app, rpcCalls } = createX402App({ devnet, rpcUrl: devnet.rpcUrl, settlerKey, receiptPollingMs: 25 })
 */
export function createX402App(options: CreateX402AppOptions): X402App {
  const { devnet } = options
  const { usdc } = devnet.tokens
  const chain = defineChain({
    id: devnet.chainId,
    name: 'Tollgate devnet',
    nativeCurrency: { name: 'Ether', symbol: 'ETH', decimals: 18 },
    rpcUrls: { default: { http: [options.rpcUrl] } },
  })
  const account = privateKeyToAccount(options.settlerKey, { nonceManager })
  let calls = 0
  // The transport's own fetch, counting the calls in each body (a batch counts its length).
  const fetchFn: typeof fetch = (input, init) => {
    const body = init?.body
    calls += typeof body === 'string' && body.startsWith('[') ? (JSON.parse(body) as unknown[]).length : 1
    return fetch(input, init)
  }
  const client = createWalletClient({ account, chain, transport: http(options.rpcUrl, { fetchFn }) }).extend(
    publicActions,
  )
  const signer = toFacilitatorEvmSigner({
    address: account.address,
    readContract: (args) => client.readContract(args as never),
    verifyTypedData: (args) => client.verifyTypedData(args as never),
    writeContract: (args) => client.writeContract({ ...(args as object), chain, account } as never),
    sendTransaction: (args) => client.sendTransaction({ ...args, chain, account }),
    waitForTransactionReceipt: (args) =>
      client.waitForTransactionReceipt({ ...args, pollingInterval: options.receiptPollingMs }),
    getCode: (args) => client.getCode(args),
  })
  const facilitator = new x402Facilitator().register(devnet.network, new ExactEvmFacilitatorScheme(signer))
  const server = new x402ResourceServer(facilitator as never).register(
    devnet.network,
    new ExactEvmServerScheme(),
  )
  const app = express()
  app.disable('x-powered-by')
  app.use(
    paymentMiddleware(
      {
        'GET /api/search-like': {
          accepts: {
            scheme: 'exact',
            network: devnet.network,
            payTo: devnet.accounts[9]!.address,
            price: { amount: '1000', asset: usdc.address, extra: { name: usdc.name, version: usdc.version } },
            // As long as the gate's challenge lifetime, so pre-signed payloads stay valid as long.
            maxTimeoutSeconds: 300,
          },
          description: 'Search-like JSON',
          mimeType: 'application/json',
        },
      },
      server,
    ),
  )
  app.get('/api/search-like', searchLikeHandler)
  return { app, rpcCalls: () => calls }
}
