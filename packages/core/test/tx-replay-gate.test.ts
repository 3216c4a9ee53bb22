import type { Devnet } from '@tollgate/testkit'
import { type Address, parseAbiItem } from 'viem'
import { generatePrivateKey, privateKeyToAccount } from 'viem/accounts'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { evmNetwork } from '../src/evm/evm-network.js'
import { createGate } from '../src/gate/create-gate.js'
import type { RouteConfig } from '../src/gate/types.js'
import { decodePaymentRequiredHeader } from '../src/protocol/payment-required-header.js'
import { decodePaymentResponseHeader } from '../src/protocol/payment-response-header.js'
import type { PaymentRequirements } from '../src/protocol/types.js'
import { devnetRegistry, proofHeader, startDevnet, transfer } from './support/devnet-gate.js'
import { quietLogger } from './support/quiet-logger.js'
import { serve } from './support/serve.js'

// `tx` response replay through gate.handle over HTTP: the same proof (the same signer, its
// signature recovered) sent again gets the kept response; another signer's proof of the same
// transaction gets nothing. Money is read from the chain.
const SECRET = 'test-secret-test-secret-test-secret-0015'
const transferEvent = parseAbiItem('event Transfer(address indexed from, address indexed to, uint256 value)')
let devnet: Devnet
let payTo: Address

beforeAll(async () => {
  devnet = await startDevnet()
  payTo = privateKeyToAccount(generatePrivateKey()).address
})
afterAll(async () => {
  await devnet?.stop()
})

async function startGate(maxBodyBytes?: number, route: RouteConfig = { price: '$0.001' }) {
  const gate = createGate({
    logger: quietLogger,
    routes: { 'GET /api/search': route },
    payTo,
    networks: [evmNetwork({ network: devnet.network, rpcUrl: devnet.rpcUrl, assets: ['USDC'] })],
    secret: SECRET,
    registry: devnetRegistry(devnet),
    ...(maxBodyBytes === undefined ? {} : { replay: { maxBodyBytes } }),
  })
  let runs = 0
  const server = await serve((request) =>
    gate.handle(request, async () => {
      runs++
      return Response.json({ results: ['paid'], run: runs }, { headers: { 'set-cookie': 'session=1' } })
    }),
  )
  const get = (header?: string, query = '') =>
    fetch(`${server.origin}/api/search${query}`, {
      headers: header === undefined ? {} : { 'PAYMENT-SIGNATURE': header },
    })
  return { get, runs: () => runs, close: () => server.close() }
}

async function requirementsOf(response: Response): Promise<PaymentRequirements> {
  expect(response.status).toBe(402)
  const required = decodePaymentRequiredHeader(response.headers.get('PAYMENT-REQUIRED')!)
  return required.accepts.find((entry) => entry.scheme === 'tx')!
}

async function paidTransfers(from: Address): Promise<bigint[]> {
  const logs = await devnet.publicClient.getLogs({
    address: devnet.tokens.usdc.address,
    event: transferEvent,
    args: { from, to: payTo },
    fromBlock: 0n,
  })
  return logs.map((log) => log.args.value as bigint)
}

describe('gate: tx response replay', () => {
  test('behavior: the same proof sent again -> the kept response, Payment-Replay, handler run once; another signer gets nothing', async () => {
    const gate = await startGate()
    try {
      const requirements = await requirementsOf(await gate.get())
      const paid = await transfer(devnet, { from: 2, to: payTo, amount: BigInt(requirements.amount) })
      const header = await proofHeader(devnet, { signer: 2, requirements, hash: paid.hash })
      const served = await gate.get(header)
      expect(served.status).toBe(200)
      expect(await served.json()).toEqual({ results: ['paid'], run: 1 })
      const replayed = await gate.get(header)
      expect(replayed.status).toBe(200)
      expect(replayed.headers.get('payment-replay')).toBe('true')
      expect(replayed.headers.get('set-cookie')).toBeNull()
      expect(await replayed.json()).toEqual({ results: ['paid'], run: 1 })
      const settled = decodePaymentResponseHeader(replayed.headers.get('PAYMENT-RESPONSE')!)
      expect(settled).toMatchObject({
        success: true,
        transaction: paid.hash,
        extensions: { replay: true },
      })
      expect(settled.payer?.toLowerCase()).toBe(devnet.accounts[2]!.address.toLowerCase())
      // A stranger's proof of the same transaction is not the payer's: no replay, refused.
      const stranger = await proofHeader(devnet, { signer: 3, requirements, hash: paid.hash })
      const refused = await gate.get(stranger)
      expect(refused.status).toBe(402)
      expect(refused.headers.get('payment-replay')).toBeNull()
      expect(gate.runs()).toBe(1)
      expect(await paidTransfers(devnet.accounts[2]!.address)).toContain(BigInt(requirements.amount))
    } finally {
      await gate.close()
    }
  })

  test('behavior: a replayed pass purchase hands over the same pass again', async () => {
    const gate = await startGate(undefined, {
      price: '$0.001',
      pass: { ttlSeconds: 600, scope: ['GET /api/other'] },
    })
    try {
      const requirements = await requirementsOf(await gate.get())
      const paid = await transfer(devnet, { from: 5, to: payTo, amount: BigInt(requirements.amount) })
      const header = await proofHeader(devnet, { signer: 5, requirements, hash: paid.hash })
      const served = await gate.get(header)
      expect(served.status).toBe(200)
      const sold = decodePaymentResponseHeader(served.headers.get('PAYMENT-RESPONSE')!).extensions?.pass
      expect((sold as { token?: unknown } | undefined)?.token).toEqual(expect.any(String))
      const replayed = await gate.get(header)
      expect(replayed.headers.get('payment-replay')).toBe('true')
      // The buyer whose first answer was lost gets the pass it paid for, not a bare receipt.
      const settled = decodePaymentResponseHeader(replayed.headers.get('PAYMENT-RESPONSE')!)
      expect(settled.extensions).toMatchObject({ replay: true, pass: sold })
      expect(gate.runs()).toBe(1)
    } finally {
      await gate.close()
    }
  })

  test('behavior: the same proof retried for another request -> refused as used, never answered with the first one', async () => {
    const gate = await startGate()
    try {
      const requirements = await requirementsOf(await gate.get(undefined, '?q=first'))
      const paid = await transfer(devnet, { from: 5, to: payTo, amount: BigInt(requirements.amount) })
      const header = await proofHeader(devnet, { signer: 5, requirements, hash: paid.hash })
      expect(await (await gate.get(header, '?q=first')).json()).toEqual({ results: ['paid'], run: 1 })
      const other = await gate.get(header, '?q=second')
      expect(other.status).toBe(402)
      expect(other.headers.get('payment-replay')).toBeNull()
      expect(await other.json()).toMatchObject({ error: 'payment_already_used' })
      const again = await gate.get(header, '?q=first')
      expect(again.headers.get('payment-replay')).toBe('true')
      expect(await again.json()).toEqual({ results: ['paid'], run: 1 })
      expect(gate.runs()).toBe(1)
    } finally {
      await gate.close()
    }
  })

  test('behavior: replay off (maxBodyBytes 0) -> the same proof is refused as used', async () => {
    const gate = await startGate(0)
    try {
      const requirements = await requirementsOf(await gate.get())
      const paid = await transfer(devnet, { from: 4, to: payTo, amount: BigInt(requirements.amount) })
      const header = await proofHeader(devnet, { signer: 4, requirements, hash: paid.hash })
      expect((await gate.get(header)).status).toBe(200)
      const refused = await gate.get(header)
      expect(refused.status).toBe(402)
      expect(await refused.json()).toMatchObject({ error: 'payment_already_used' })
      expect(gate.runs()).toBe(1)
    } finally {
      await gate.close()
    }
  })
})
