import { once } from 'node:events'
import { createServer as createHttpServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { Client as McpClient } from '@modelcontextprotocol/sdk/client/index.js'
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js'
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js'
import { createChainRegistry } from '@tollgate/core'
import { evmWallet } from '@tollgate/core/evm'
import type { Devnet } from '@tollgate/testkit'
import { type Address, erc20Abi } from 'viem'
import { privateKeyToAccount } from 'viem/accounts'
import { createStreamableHttpHandler } from '../../src/create-streamable-http-handler.js'

/** A registry that knows the devnet's 6-decimal USDC as a USD stablecoin. */
export function devnetRegistry(devnet: Devnet) {
  return createChainRegistry({
    assets: [
      {
        network: devnet.network,
        address: devnet.tokens.usdc.address,
        symbol: 'USDC',
        name: 'USD Coin',
        decimals: 6,
        usdPegged: true,
        eip712: { name: devnet.tokens.usdc.name, version: devnet.tokens.usdc.version },
      },
    ],
  })
}

/** An EVM wallet for devnet account `index`. */
export function walletOf(devnet: Devnet, index: number, schemes?: ('exact' | 'tx')[]) {
  return evmWallet({
    account: privateKeyToAccount(devnet.accounts[index]!.privateKey),
    rpcUrls: { [devnet.network]: devnet.rpcUrl },
    pollingIntervalMs: 20,
    ...(schemes === undefined ? {} : { schemes }),
  })
}

/** USDC balance. */
export function usdcBalance(devnet: Devnet, owner: Address): Promise<bigint> {
  return devnet.publicClient.readContract({
    address: devnet.tokens.usdc.address,
    abi: erc20Abi,
    functionName: 'balanceOf',
    args: [owner],
  })
}

/** Serves `createServer` over Streamable HTTP on 127.0.0.1 and connects an official SDK client to it. */
export async function connectOverHttp(
  createServer: () => McpServer,
  clientOptions: ConstructorParameters<typeof McpClient>[1] = {},
) {
  const handler = createStreamableHttpHandler(createServer)
  const server = createHttpServer(handler)
  server.listen(0, '127.0.0.1')
  await once(server, 'listening')
  const { port } = server.address() as AddressInfo
  const url = new URL(`http://127.0.0.1:${port}/mcp`)
  const client = new McpClient({ name: 'test-client', version: '1.0.0' }, clientOptions)
  await client.connect(new StreamableHTTPClientTransport(url))
  return {
    client,
    url,
    handler,
    async close() {
      await client.close()
      await handler.close()
      server.closeAllConnections()
      await new Promise<void>((resolve) => server.close(() => resolve()))
    },
  }
}
