import type { Devnet } from '@tollgate/testkit'
import { privateKeyToAccount } from 'viem/accounts'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { evmNetwork } from '../src/evm/evm-network.js'
import { evmWallet } from '../src/evm/evm-wallet.js'
import { toPaidToolsClient } from '../src/evm/to-paid-tools-client.js'
import { createGate } from '../src/gate/create-gate.js'
import type { PaymentRequirements } from '../src/protocol/types.js'
import { balanceOf, startDevnet } from './support/devnet-gate.js'
import { quietLogger } from './support/quiet-logger.js'
import { serve } from './support/serve.js'

let devnet: Devnet
let server: Awaited<ReturnType<typeof serve>>
const payee = () => devnet.accounts[9]!.address
const usdcOf = (address: `0x${string}`) => balanceOf(devnet, devnet.tokens.usdc.address, address)

// No registry anywhere: the default one knows the devnet's USDC on eip155:31337.
beforeAll(async () => {
  devnet = await startDevnet()
  const network = devnet.network
  const settler = privateKeyToAccount(devnet.accounts[8]!.privateKey)
  const gate = createGate({
    logger: quietLogger,
    routes: { 'GET /exact': { price: '$0.002' }, 'GET /tx': { price: '$0.001' } },
    payTo: payee(),
    networks: [evmNetwork({ network, rpcUrl: devnet.rpcUrl, tx: false, exact: { settler } })],
    secret: 'paid-tools-client-secret-paid-tools-01',
  })
  const txGate = createGate({
    logger: quietLogger,
    routes: { 'GET /tx': { price: '$0.001' } },
    payTo: payee(),
    networks: [evmNetwork({ network, rpcUrl: devnet.rpcUrl })],
    secret: 'paid-tools-client-secret-paid-tools-01',
  })
  server = await serve((request) => {
    const handler = () => Response.json({ ok: true })
    return new URL(request.url).pathname === '/tx'
      ? txGate.handle(request, handler)
      : gate.handle(request, handler)
  })
})
afterAll(async () => {
  await server?.close()
  await devnet?.stop()
})

describe('toPaidToolsClient', () => {
  test('default: a private key and a budget pay exact with no RPC URL; the money moves on chain', async () => {
    const client = toPaidToolsClient({ wallet: { privateKey: devnet.accounts[1]!.privateKey }, budget: '$1' })
    const before = await usdcOf(payee())
    const response = await client.fetch(`${server.origin}/exact`)
    expect(response.status).toBe(200)
    expect((await usdcOf(payee())) - before).toBe(2000n)
    expect(JSON.parse(JSON.stringify(await client.spent()))).toMatchObject({
      usd: { spent: '0.002', remaining: '0.998' },
    })
  })

  test('behavior: one rpcUrl pays tx on the chain it serves', async () => {
    const client = toPaidToolsClient({
      wallet: { privateKey: devnet.accounts[2]!.privateKey, rpcUrl: devnet.rpcUrl },
      budget: '$1',
    })
    const before = await usdcOf(payee())
    expect((await client.fetch(`${server.origin}/tx`)).status).toBe(200)
    expect((await usdcOf(payee())) - before).toBe(1000n)
  })

  test('error: tx without any RPC cannot be paid; nothing moves', async () => {
    const client = toPaidToolsClient({ wallet: { privateKey: devnet.accounts[3]!.privateKey }, budget: '$1' })
    const before = await usdcOf(devnet.accounts[3]!.address)
    await expect(client.fetch(`${server.origin}/tx`)).rejects.toMatchObject({ code: 'no_payable_option' })
    expect(await usdcOf(devnet.accounts[3]!.address)).toBe(before)
  })

  test('error: an rpcUrl of another chain is refused before anything is signed or sent', async () => {
    const account = privateKeyToAccount(devnet.accounts[4]!.privateKey)
    const wallet = evmWallet({ account, rpcUrl: devnet.rpcUrl })
    const requirements: PaymentRequirements = {
      scheme: 'tx',
      network: 'eip155:1',
      asset: devnet.tokens.usdc.address,
      amount: '1000',
      payTo: payee(),
      maxTimeoutSeconds: 60,
      extra: {},
    }
    expect(wallet.supports(requirements)).toBe(true)
    const nonce = await devnet.publicClient.getTransactionCount({ address: account.address })
    const sendTransfer = wallet.sendTransfer as NonNullable<typeof wallet.sendTransfer>
    await expect(sendTransfer({ requirements } as never)).rejects.toMatchObject({
      code: 'wallet_unavailable',
    })
    expect(await devnet.publicClient.getTransactionCount({ address: account.address })).toBe(nonce)
    expect(wallet.supports({ ...requirements, network: 'solana:5eykt4UsFv8P8NJdTREpY1vzqKqZKvdp' })).toBe(
      false,
    )
  })

  test('error: no client and no wallet, or a malformed key, is config_invalid without quoting the key', () => {
    expect(() => toPaidToolsClient({} as never)).toThrow(expect.objectContaining({ code: 'config_invalid' }))
    const secret = `0x${'ab'.repeat(31)}`
    let message = ''
    try {
      toPaidToolsClient({ wallet: { privateKey: secret as `0x${string}` } })
    } catch (error) {
      message = String((error as Error).message) + JSON.stringify(error)
      expect((error as { code: string }).code).toBe('config_invalid')
    }
    expect(message).not.toContain(secret.slice(2))
  })
})
