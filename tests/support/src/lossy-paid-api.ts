import { once } from 'node:events'
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { type Client, createClient, createGate, decodePaymentSignatureHeader } from '@tollgate/core'
import { evmNetwork, evmWallet } from '@tollgate/core/evm'
import type { Devnet } from '@tollgate/testkit'
import { type Address, parseEther } from 'viem'
import { generatePrivateKey, privateKeyToAccount } from 'viem/accounts'
import { usdcRegistry } from './devnet-registry.js'

/** A gated API on the devnet that can lose its paid answers; see {@link startLossyPaidApi}. */
export type LossyPaidApi = {
  /** Its origin, `http://127.0.0.1:<port>`. */
  url: string
  /** Who gets paid: a fresh address, so every transfer to it is this API's. */
  payTo: Address
  /** How many times the paid handler ran. */
  runs(): number
  /** While on, a request that carries a payment is served in full (paid, kept), then its connection cut before any answer byte. */
  losePaidAnswers(lose: boolean): void
  /** How many paid answers were lost so far. */
  lost(): number
  /** The x402 payment identifier of every request that carried a payment, in order (`null` for none). */
  paymentIds(): (string | null)[]
  close(): Promise<void>
}

/**
 * Starts an API behind a real gate on the devnet (`GET /api/search?q=`, `POST /api/summarize`,
 * each `$0.01`, paid with `scheme`) served over node:http, whose paid answers can be lost: the
 * gate runs the handler, settles and keeps the answer, and then the TCP connection is destroyed
 * instead of answering, as when a proxy or the network drops the response.
 *
 * @example const api = await startLossyPaidApi(devnet, 'exact'); api.losePaidAnswers(true)
 */
export async function startLossyPaidApi(devnet: Devnet, scheme: 'exact' | 'tx'): Promise<LossyPaidApi> {
  const payTo = privateKeyToAccount(generatePrivateKey()).address
  const settler = privateKeyToAccount(generatePrivateKey())
  await devnet.testClient.setBalance({ address: settler.address, value: parseEther('10') })
  const gate = createGate({
    routes: { 'GET /api/search': { price: '$0.01' }, 'POST /api/summarize': { price: '$0.01' } },
    payTo,
    networks: [
      evmNetwork({
        network: devnet.network,
        rpcUrl: devnet.rpcUrl,
        ...(scheme === 'exact' ? { tx: false, exact: { settler } } : {}),
      }),
    ],
    secret: 'lossy-api-secret-lossy-api-secret-000001',
    registry: usdcRegistry(devnet),
    logger: { warn: () => {} },
  })
  let runs = 0
  let losing = false
  let lost = 0
  let url = ''
  const paymentIds: (string | null)[] = []
  const server = createServer(async (incoming, outgoing) => {
    const headers = new Headers()
    for (const [name, value] of Object.entries(incoming.headers)) {
      if (typeof value === 'string') headers.set(name, value)
    }
    const signature = headers.get('payment-signature')
    if (signature !== null) paymentIds.push(paymentIdOf(signature))
    const chunks: Buffer[] = []
    for await (const chunk of incoming) chunks.push(chunk as Buffer)
    const method = incoming.method ?? 'GET'
    const body = method === 'GET' || method === 'HEAD' ? undefined : Buffer.concat(chunks)
    const request = new Request(`${url}${incoming.url}`, { method, headers, ...(body ? { body } : {}) })
    const response = await gate.handle(request, async (paid) => {
      runs++
      const query = new URL(paid.url).searchParams.get('q')
      const text = paid.method === 'POST' ? await paid.text() : undefined
      return Response.json({ q: query, text, run: runs })
    })
    const bytes = Buffer.from(await response.arrayBuffer())
    if (losing && headers.has('payment-signature')) {
      lost++
      incoming.socket.destroy()
      return
    }
    outgoing.writeHead(response.status, Object.fromEntries(response.headers))
    outgoing.end(bytes)
  })
  server.listen(0, '127.0.0.1')
  await once(server, 'listening')
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  return {
    url,
    payTo,
    runs: () => runs,
    losePaidAnswers: (lose) => {
      losing = lose
    },
    lost: () => lost,
    paymentIds: () => [...paymentIds],
    close: async () => {
      server.closeAllConnections()
      await new Promise((resolve) => server.close(resolve))
    },
  }
}

function paymentIdOf(header: string): string | null {
  const payload = decodePaymentSignatureHeader(header)
  const id = (payload.extensions?.['payment-identifier'] as { info?: { id?: unknown } } | undefined)?.info?.id
  return typeof id === 'string' ? id : null
}

/**
 * A fresh payer on the devnet (USDC and gas) and a client paying from it with `scheme`, budget
 * `$1`, that resends a lost answer's payment once, quickly, then gives up.
 *
 * @example const { client, payer } = await lossyPayer(devnet, 'exact')
 */
export async function lossyPayer(
  devnet: Devnet,
  scheme: 'exact' | 'tx',
): Promise<{ client: Client; payer: Address }> {
  const account = privateKeyToAccount(generatePrivateKey())
  await devnet.testClient.setBalance({ address: account.address, value: parseEther('1') })
  await devnet.mint('usdc', account.address, 1_000_000n)
  const client = createClient({
    wallets: [
      evmWallet({
        account,
        rpcUrls: { [devnet.network]: devnet.rpcUrl },
        pollingIntervalMs: 20,
        schemes: [scheme],
      }),
    ],
    registry: usdcRegistry(devnet),
    policy: { budget: '$1' },
    retry: { maxRetries: 1, baseDelayMs: 10, maxDelayMs: 50 },
  })
  return { client, payer: account.address }
}
