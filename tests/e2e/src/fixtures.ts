import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { createChainRegistry } from '@tollgate/core'
import { evmWallet } from '@tollgate/core/evm'
import { type RunningDemoApi, startDemoApi } from '@tollgate/demo-api'
import { type Devnet, startDevnet } from '@tollgate/testkit'
import { type Address, erc20Abi, parseAbiItem } from 'viem'
import { privateKeyToAccount } from 'viem/accounts'

export const SECRET = 'e2e-secret-e2e-secret-e2e-secret-e2e-00'

/** The client's own registry: it knows the devnet tokens, so it never trusts a server's decimals. */
export function clientRegistry(devnet: Devnet) {
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

/** A devnet and the demo API on it, paid to account 9. */
export async function startDemo(options: { host?: string; devnet?: Devnet } = {}): Promise<{
  devnet: Devnet
  api: RunningDemoApi
  payTo: Address
  stop(): Promise<void>
}> {
  const devnet = options.devnet ?? (await startDevnet())
  const payTo = devnet.accounts[9]!.address
  const api = await startDemoApi({
    rpcUrl: devnet.rpcUrl,
    network: devnet.network,
    asset: {
      address: devnet.tokens.usdc.address,
      decimals: 6,
      symbol: 'USDC',
      name: 'USD Coin',
      eip712: { name: devnet.tokens.usdc.name, version: devnet.tokens.usdc.version },
    },
    payTo,
    secret: SECRET,
    // Account 8 pays the gas of exact settlements.
    settler: privateKeyToAccount(devnet.accounts[8]!.privateKey),
    ...(options.host ? { host: options.host } : {}),
  })
  return {
    devnet,
    api,
    payTo,
    async stop() {
      await api.close()
      if (options.devnet === undefined) await devnet.stop()
    },
  }
}

/** An EVM wallet for devnet account `index`. */
export function walletOf(devnet: Devnet, index: number) {
  return evmWallet({
    account: privateKeyToAccount(devnet.accounts[index]!.privateKey),
    rpcUrls: { [devnet.network]: devnet.rpcUrl },
    pollingIntervalMs: 20,
  })
}

/** USDC transfers from `from` to `to` that are on chain: what was really paid. */
export async function transfersOnChain(devnet: Devnet, from: Address, to: Address): Promise<bigint[]> {
  const logs = await devnet.publicClient.getLogs({
    address: devnet.tokens.usdc.address,
    event: parseAbiItem('event Transfer(address indexed from, address indexed to, uint256 value)'),
    args: { from, to },
    fromBlock: 0n,
  })
  return logs.map((log) => log.args.value as bigint)
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

/** A raw HTTP server on a loopback host for tests that need a misbehaving peer. */
export async function listen(
  handler: (request: IncomingMessage, response: ServerResponse) => void,
  host = '127.0.0.1',
): Promise<{ url: string; close(): Promise<void> }> {
  const server = createServer(handler)
  await new Promise<void>((resolve) => server.listen(0, host, resolve))
  const { port } = server.address() as AddressInfo
  return {
    url: `http://${host}:${port}`,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections()
        server.close(() => resolve())
      }),
  }
}

/** Forwards requests to `target`; `intercept` may answer or drop a request instead. */
export function proxyTo(
  target: string,
  intercept: (request: IncomingMessage, response: ServerResponse) => boolean,
): (request: IncomingMessage, response: ServerResponse) => void {
  return async (request, response) => {
    if (intercept(request, response)) return
    const chunks: Buffer[] = []
    for await (const chunk of request) chunks.push(chunk as Buffer)
    const headers = new Headers()
    for (const [name, value] of Object.entries(request.headers)) {
      if (typeof value === 'string' && name !== 'host' && name !== 'connection') headers.set(name, value)
    }
    const upstream = await fetch(`${target}${request.url}`, {
      method: request.method ?? 'GET',
      headers,
      redirect: 'manual',
      ...(chunks.length > 0 ? { body: Buffer.concat(chunks) } : {}),
    })
    const out: Record<string, string> = {}
    upstream.headers.forEach((value, name) => {
      if (name !== 'content-length' && name !== 'transfer-encoding' && name !== 'connection')
        out[name] = value
    })
    const body = Buffer.from(await upstream.arrayBuffer())
    response.writeHead(upstream.status, { ...out, 'content-length': String(body.length) })
    response.end(body)
  }
}
