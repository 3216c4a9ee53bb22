import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { type Devnet, testUsdcAbi } from '@tollgate/testkit'
import { Errors } from 'mppx'
import { evm, Mppx } from 'mppx/server'
import { type Address, type Hex, parseSignature } from 'viem'

/** Options of {@link startMppxServer}. */
export type MppxServerOptions = {
  /** Display-unit price of `GET /paid`. Default `"0.01"` (10000 atomic units of the devnet USDC). */
  amount?: string
  /** Devnet account paid. Default 9. */
  recipient?: number
  /** Devnet account that pays the gas of settlements. Default 8. */
  settler?: number
  /** Signs the challenge ids: another secret refuses this server's challenges. Default a fixed one. */
  secretKey?: string
}

/** An `mppx` server on the devnet and what it saw. */
export type MppxServer = {
  url: string
  recipient: Address
  /** Every request's `Accept-Payment` header (null when absent), in order. */
  acceptPayment: (string | null)[]
  /** Which credential each paid request carried: `mpp` (Authorization: Payment) or `x402`. */
  credentials: ('mpp' | 'x402')[]
  close(): Promise<void>
}

/**
 * The real `mppx` 0.11.0 server selling `GET /paid` with its EVM `charge` method (EIP-3009
 * authorizations, co-offered as x402 `exact`) on the devnet's USDC; its settler submits
 * `transferWithAuthorization` from devnet account `settler`, so the money moves on chain.
 * @example const server = await startMppxServer(devnet)
 */
export async function startMppxServer(devnet: Devnet, options: MppxServerOptions = {}): Promise<MppxServer> {
  const { usdc } = devnet.tokens
  const recipient = devnet.accounts[options.recipient ?? 9]!.address
  const settler = devnet.walletClient(options.settler ?? 8)
  const mppx = Mppx.create({
    secretKey: options.secretKey ?? 'mppx-e2e-secret-mppx-e2e-secret-0000',
    realm: 'mppx.e2e.test',
    methods: [
      evm.charge({
        currency: usdc.address,
        chainId: devnet.chainId,
        decimals: 6,
        authorization: { name: usdc.name, version: usdc.version },
        recipient,
        // mppx keeps no replay store with a custom settler: the token is the one that refuses a
        // used authorization, reported as mppx's verification failure (a 402 with a fresh challenge).
        settle: async ({ payload }) => {
          const { v, r, s } = parseSignature(payload.signature as Hex)
          const hash = await settler
            .writeContract({
              address: usdc.address,
              abi: testUsdcAbi,
              functionName: 'transferWithAuthorization',
              args: [
                payload.from as Address,
                payload.to as Address,
                BigInt(payload.value),
                BigInt(payload.validAfter),
                BigInt(payload.validBefore),
                payload.nonce as Hex,
                Number(v),
                r,
                s,
              ],
              chain: devnet.chain,
              account: settler.account!,
            })
            .catch((error: Error) => {
              throw new Errors.VerificationFailedError({ reason: error.message.split('\n')[0] ?? 'reverted' })
            })
          const receipt = await devnet.publicClient.waitForTransactionReceipt({ hash, pollingInterval: 20 })
          if (receipt.status !== 'success') throw new Error(`settlement ${hash} reverted`)
          return { reference: hash }
        },
      }),
    ],
  })
  const seen: Pick<MppxServer, 'acceptPayment' | 'credentials'> = { acceptPayment: [], credentials: [] }
  const server = createServer(async (request, response) => {
    seen.acceptPayment.push(request.headers['accept-payment']?.toString() ?? null)
    const authorization = request.headers.authorization ?? ''
    if (/^Payment /i.test(authorization)) seen.credentials.push('mpp')
    else if (request.headers['payment-signature'] !== undefined) seen.credentials.push('x402')
    const result = await Mppx.toNodeListener(mppx.charge({ amount: options.amount ?? '0.01' }))(
      request,
      response,
    )
    if (result.status === 402) return
    response.setHeader('content-type', 'application/json')
    response.end(JSON.stringify({ weather: 'sunny' }))
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  return {
    url: `http://127.0.0.1:${port}`,
    recipient,
    ...seen,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections()
        server.close(() => resolve())
      }),
  }
}
