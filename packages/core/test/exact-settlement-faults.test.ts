import type { Devnet } from '@tollgate/testkit'
import { type Address, type Hex, type LocalAccount, parseAbi, parseAbiItem, parseEther } from 'viem'
import { generatePrivateKey, privateKeyToAccount } from 'viem/accounts'
import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest'
import type { AssetInfo } from '../src/chains/types.js'
import { TollgateError } from '../src/errors/tollgate-error.js'
import { createEvmExactScheme, type EvmExactSchemeSettings } from '../src/evm/create-evm-exact-scheme.js'
import { createFacilitator } from '../src/evm/create-facilitator.js'
import { createFacilitatorClient } from '../src/evm/create-facilitator-client.js'
import type { ExactInput } from '../src/gate/types.js'
import type { PaymentRequirements } from '../src/protocol/types.js'
import { createJsonRpc } from '../src/rpc/create-json-rpc.js'
import { balanceOf, devnetRegistry, startDevnet } from './support/devnet-gate.js'
import { startEvmFaultProxy } from './support/evm-fault-proxy.js'
import { signExactPayload, usdcRequirements } from './support/exact-payment.js'
import { serve } from './support/serve.js'

// Every test settles through a proxy that counts and breaks the JSON-RPC traffic, and reads the
// outcome from the chain: Transfer events, balances, the settler's nonce.
let devnet: Devnet
let proxy: Awaited<ReturnType<typeof startEvmFaultProxy>>
let payTo: Address
let usdcAsset: AssetInfo

const transferEvent = parseAbiItem('event Transfer(address indexed from, address indexed to, uint256 value)')

beforeAll(async () => {
  devnet = await startDevnet()
  proxy = await startEvmFaultProxy(devnet.rpcUrl)
  payTo = privateKeyToAccount(generatePrivateKey()).address
  usdcAsset = devnetRegistry(devnet).asset(devnet.network, devnet.tokens.usdc.address)
})
afterAll(async () => {
  await proxy?.close()
  await devnet?.stop()
})
afterEach(async () => {
  for (const method of [
    'eth_sendRawTransaction',
    'eth_sendRawTransactionSync',
    'eth_getTransactionReceipt',
    'eth_getTransactionByHash',
  ])
    proxy.fault(method, undefined)
  await devnet.testClient.setAutomine(true)
})

const requirements = (): PaymentRequirements => usdcRequirements(devnet, payTo)

/** A fresh settler with gas, and a fresh payer holding `balance` USDC units. */
async function actors(balance = 1_000_000n): Promise<{ settler: LocalAccount; payer: LocalAccount }> {
  const settler = privateKeyToAccount(generatePrivateKey())
  const payer = privateKeyToAccount(generatePrivateKey())
  await devnet.testClient.setBalance({ address: settler.address, value: parseEther('10') })
  await devnet.mint('usdc', payer.address, balance)
  return { settler, payer }
}

function scheme(settler: LocalAccount, settings: Partial<EvmExactSchemeSettings> = {}) {
  return createEvmExactScheme({
    rpc: createJsonRpc({ url: proxy.url }),
    chainId: devnet.chainId,
    settler,
    receiptPollingMs: 10,
    ...settings,
  })
}

async function input(payer: LocalAccount): Promise<ExactInput> {
  const required = requirements()
  const payload = await signExactPayload({ devnet, signer: payer, requirements: required })
  return { payload, requirements: required, asset: usdcAsset }
}

/** Transfer(payer -> payTo) events on chain. */
async function transfersFrom(payer: Address): Promise<{ transactionHash: Hex; value: bigint }[]> {
  const logs = await devnet.publicClient.getLogs({
    address: devnet.tokens.usdc.address,
    event: transferEvent,
    args: { from: payer, to: payTo },
    fromBlock: 0n,
  })
  return logs.map((log) => ({ transactionHash: log.transactionHash, value: log.args.value as bigint }))
}

const nonceOf = (address: Address) => devnet.publicClient.getTransactionCount({ address })

describe('exact settlement under faults', () => {
  test('behavior: the RPC answers 502 to a send the node accepted -> confirmed, sent once, paid once', async () => {
    const { settler, payer } = await actors()
    const exact = scheme(settler)
    const paid = await input(payer)
    await exact.verify(paid)
    const syncBefore = proxy.calls('eth_sendRawTransactionSync')
    const resendsBefore = proxy.calls('eth_sendRawTransaction')
    proxy.fault('eth_sendRawTransactionSync', { lose: 'answer', times: 1 })
    const settled = await exact.settle(paid)
    expect(settled).toMatchObject({ payer: payer.address, logIndex: expect.any(Number) })
    const transfers = await transfersFrom(payer.address)
    expect(transfers).toEqual([{ transactionHash: settled.transaction, value: 10_000n }])
    expect(await nonceOf(settler.address)).toBe(1)
    // The receipt answered the question: nothing was sent a second time.
    expect(proxy.calls('eth_sendRawTransactionSync') - syncBefore).toBe(1)
    expect(proxy.calls('eth_sendRawTransaction') - resendsBefore).toBe(0)
    expect(await balanceOf(devnet, devnet.tokens.usdc.address, payer.address)).toBe(990_000n)
  })

  test('behavior: a send the node never saw is detected at the first poll and sent again -> paid once', async () => {
    const { settler, payer } = await actors()
    const exact = scheme(settler)
    const paid = await input(payer)
    const resendsBefore = proxy.calls('eth_sendRawTransaction')
    proxy.fault('eth_sendRawTransactionSync', { lose: 'request', times: 1 })
    const settled = await exact.settle(paid)
    expect(proxy.calls('dropped:eth_sendRawTransactionSync')).toBeGreaterThanOrEqual(1)
    expect(proxy.calls('eth_sendRawTransaction') - resendsBefore).toBe(1)
    expect(await transfersFrom(payer.address)).toEqual([
      { transactionHash: settled.transaction, value: 10_000n },
    ])
    expect(await nonceOf(settler.address)).toBe(1)
  })

  test('behavior: a transaction the node dropped from its pool is sent again; it lands once', async () => {
    const { settler, payer } = await actors()
    const exact = scheme(settler, { sendMethod: 'async', presenceCheckMs: 20, replaceAfterMs: 600_000 })
    const paid = await input(payer)
    await devnet.testClient.setAutomine(false)
    const sends = proxy.calls('eth_sendRawTransaction')
    const settling = exact.settle(paid)
    await proxy.waitForCalls('eth_sendRawTransaction', sends + 1)
    const pool = (await devnet.testClient.request({ method: 'txpool_content' as never })) as {
      pending: Record<string, Record<string, { hash: Hex }>>
    }
    const [pooled] = Object.values(Object.values(pool.pending)[0] ?? {})
    expect(pooled).toBeDefined()
    await devnet.testClient.request({
      method: 'anvil_dropTransaction' as never,
      params: [pooled!.hash] as never,
    })
    // The watcher finds it missing and sends the same bytes again.
    await proxy.waitForCalls('eth_sendRawTransaction', sends + 2)
    await devnet.mine(1)
    const settled = await settling
    expect(settled.transaction).toBe(pooled!.hash)
    expect(await transfersFrom(payer.address)).toEqual([{ transactionHash: pooled!.hash, value: 10_000n }])
    expect(await nonceOf(settler.address)).toBe(1)
  })

  test('behavior: a stuck transaction is replaced with higher fees (same nonce) and only one lands', async () => {
    const { settler, payer } = await actors()
    const exact = scheme(settler, { sendMethod: 'async', replaceAfterMs: 50, maxReplacements: 1 })
    const paid = await input(payer)
    await devnet.testClient.setAutomine(false)
    const sends = proxy.calls('eth_sendRawTransaction')
    const settling = exact.settle(paid)
    await proxy.waitForCalls('eth_sendRawTransaction', sends + 2)
    const pool = (await devnet.testClient.request({ method: 'txpool_content' as never })) as {
      pending: Record<string, Record<string, { hash: Hex; maxFeePerGas: Hex }>>
    }
    const pooled = Object.values(Object.values(pool.pending)[0] ?? {})
    expect(pooled).toHaveLength(1)
    await devnet.mine(1)
    const settled = await settling
    expect(settled.transaction).toBe(pooled[0]!.hash)
    expect(await transfersFrom(payer.address)).toEqual([
      { transactionHash: settled.transaction, value: 10_000n },
    ])
    const mined = await devnet.publicClient.getTransaction({ hash: settled.transaction as Hex })
    expect(mined.nonce).toBe(0)
    expect(await nonceOf(settler.address)).toBe(1)
  })

  test('error: receipts lost -> settlement_pending (never failed) while the transfer landed; the status says confirmed', async () => {
    const { settler, payer } = await actors()
    const exact = scheme(settler, { receiptTimeoutMs: 200 })
    const paid = await input(payer)
    proxy.fault('eth_sendRawTransactionSync', { lose: 'answer', times: 1 })
    proxy.fault('eth_getTransactionReceipt', { result: () => null })
    const failure = (await exact.settle(paid).catch((error: unknown) => error)) as {
      code: string
      status: number
      retryAfter: number
      details: Record<string, unknown>
    }
    expect(failure).toMatchObject({
      code: 'settlement_pending',
      status: 503,
      retryAfter: expect.any(Number),
    })
    expect(failure.details.settled).toBeUndefined()
    const transfers = await transfersFrom(payer.address)
    expect(transfers).toEqual([{ transactionHash: failure.details.transaction, value: 10_000n }])
    proxy.fault('eth_getTransactionReceipt', undefined)
    await expect(
      exact.settlementStatus({ input: paid, transaction: failure.details.transaction as string }),
    ).resolves.toMatchObject({ status: 'confirmed', transaction: failure.details.transaction })
  })

  test('error: a pending settlement whose nonce another transaction took -> status failed (nonce_taken), nothing moved', async () => {
    const { settler, payer } = await actors()
    const exact = scheme(settler, { sendMethod: 'async', receiptTimeoutMs: 100, replaceAfterMs: 600_000 })
    const paid = await input(payer)
    await devnet.testClient.setAutomine(false)
    const failure = (await exact.settle(paid).catch((error: unknown) => error)) as {
      code: string
      details: { transaction: Hex }
    }
    expect(failure.code).toBe('settlement_pending')
    const { transaction } = failure.details
    await expect(exact.settlementStatus({ input: paid, transaction })).resolves.toMatchObject({
      status: 'pending',
    })
    await devnet.testClient.request({
      method: 'anvil_dropTransaction' as never,
      params: [transaction] as never,
    })
    // The settler key is used elsewhere for the same nonce.
    const other = await settler.signTransaction({
      chainId: devnet.chainId,
      nonce: 0,
      to: settler.address,
      value: 0n,
      gas: 21_000n,
      maxFeePerGas: parseEther('0.00001'),
      maxPriorityFeePerGas: 1n,
      type: 'eip1559',
    })
    await devnet.publicClient.request({ method: 'eth_sendRawTransaction', params: [other] })
    await devnet.mine(1)
    await expect(exact.settlementStatus({ input: paid, transaction })).resolves.toEqual({
      status: 'failed',
      transaction,
      reason: 'nonce_taken',
    })
    expect(await transfersFrom(payer.address)).toEqual([])
    expect(await balanceOf(devnet, devnet.tokens.usdc.address, payer.address)).toBe(1_000_000n)
  })

  test.each([
    ['simulating again at settle (default)', 0],
    ['reusing the verify simulation', 60_000],
  ])(
    'behavior: 5 concurrent authorizations from a payer who can afford one, %s -> exactly one broadcast',
    async (_name, simulationMaxAgeMs) => {
      const { settler, payer } = await actors(10_000n)
      const exact = scheme(settler, { simulationMaxAgeMs })
      const payments = await Promise.all(Array.from({ length: 5 }, () => input(payer)))
      const sendsBefore = proxy.calls('eth_sendRawTransactionSync') + proxy.calls('eth_sendRawTransaction')
      // A verified authorization holds its value: the next one is refused before any handler runs.
      await exact.verify(payments[0]!)
      await expect(exact.verify(payments[1]!)).rejects.toMatchObject({ code: 'insufficient_funds' })
      // Past the holds (abandoned here; or verified by five processes, each holding on its own):
      // each verifies on its own, then all settle at once, like handlers that finished together.
      for (const payment of payments) {
        await exact.verify(payment)
        exact.abandon?.(payment)
      }
      const outcomes = await Promise.allSettled(payments.map((payment) => exact.settle(payment)))
      const settled = outcomes.filter((outcome) => outcome.status === 'fulfilled')
      const refused = outcomes.flatMap((outcome) => (outcome.status === 'rejected' ? [outcome.reason] : []))
      expect(settled).toHaveLength(1)
      expect(refused).toHaveLength(4)
      for (const reason of refused)
        expect(reason).toMatchObject({ code: 'insufficient_funds', details: { settled: false } })
      const sends =
        proxy.calls('eth_sendRawTransactionSync') + proxy.calls('eth_sendRawTransaction') - sendsBefore
      expect(sends).toBe(1)
      // The chain: one transfer, one settler transaction, the payer emptied.
      expect(await transfersFrom(payer.address)).toHaveLength(1)
      expect(await nonceOf(settler.address)).toBe(1)
      expect(await balanceOf(devnet, devnet.tokens.usdc.address, payer.address)).toBe(0n)
    },
  )

  test('behavior: a payer with a pending settlement has its value held: a second one it cannot cover is refused unsent', async () => {
    const { settler, payer } = await actors(10_000n)
    const exact = scheme(settler, { sendMethod: 'async', receiptTimeoutMs: 100, replaceAfterMs: 600_000 })
    const first = await input(payer)
    const second = await input(payer)
    await devnet.testClient.setAutomine(false)
    await expect(exact.settle(first)).rejects.toMatchObject({ code: 'settlement_pending' })
    const sends = proxy.calls('eth_sendRawTransaction')
    await expect(exact.verify(second)).rejects.toMatchObject({
      code: 'insufficient_funds',
      details: { held: 10_000n },
    })
    await expect(exact.settle(second)).rejects.toMatchObject({
      code: 'insufficient_funds',
      details: { settled: false },
    })
    expect(proxy.calls('eth_sendRawTransaction')).toBe(sends)
    await devnet.mine(1)
    expect(await transfersFrom(payer.address)).toHaveLength(1)
    expect(await nonceOf(settler.address)).toBe(1)
  })

  test('error: through our facilitator over HTTP, a pending settlement stays settlement_pending with its hash and Retry-After', async () => {
    const { settler, payer } = await actors()
    const exact = scheme(settler, { sendMethod: 'async', receiptTimeoutMs: 100, replaceAfterMs: 600_000 })
    const facilitator = createFacilitator({
      schemes: { [devnet.network]: exact },
      registry: devnetRegistry(devnet),
    })
    const server = await serve((request) => facilitator.fetch(request))
    try {
      const client = createFacilitatorClient({ url: `${server.origin}/facilitator` })
      const paid = await input(payer)
      await devnet.testClient.setAutomine(false)
      const failure = (await client.settle(paid).catch((error: unknown) => error)) as {
        code: string
        status: number
        retryAfter: number
        details: Record<string, unknown>
      }
      expect(failure).toMatchObject({
        code: 'settlement_pending',
        status: 503,
        retryAfter: 2,
        details: { transaction: expect.stringMatching(/^0x[0-9a-f]{64}$/) },
      })
      expect(failure.details.settled).toBeUndefined()
      await devnet.mine(1)
      expect(await transfersFrom(payer.address)).toEqual([
        { transactionHash: failure.details.transaction, value: 10_000n },
      ])
    } finally {
      await server.close()
    }
  })

  test('behavior: settle called again for a pending authorization broadcasts nothing new; once mined it answers confirmed', async () => {
    const { settler, payer } = await actors()
    const exact = scheme(settler, { sendMethod: 'async', receiptTimeoutMs: 100, replaceAfterMs: 600_000 })
    const paid = await input(payer)
    await devnet.testClient.setAutomine(false)
    const first = (await exact.settle(paid).catch((error: unknown) => error)) as {
      code: string
      details: { transaction: Hex }
    }
    expect(first.code).toBe('settlement_pending')
    const sends = proxy.calls('eth_sendRawTransaction') + proxy.calls('eth_sendRawTransactionSync')
    await expect(exact.settle(paid)).rejects.toMatchObject({
      code: 'settlement_pending',
      details: { transaction: first.details.transaction },
    })
    expect(proxy.calls('eth_sendRawTransaction') + proxy.calls('eth_sendRawTransactionSync')).toBe(sends)
    await devnet.mine(1)
    await expect(exact.settle(paid)).resolves.toMatchObject({
      transaction: first.details.transaction,
      payer: payer.address,
    })
    expect(proxy.calls('eth_sendRawTransaction') + proxy.calls('eth_sendRawTransactionSync')).toBe(sends)
    expect(await transfersFrom(payer.address)).toEqual([
      { transactionHash: first.details.transaction, value: 10_000n },
    ])
    expect(await nonceOf(settler.address)).toBe(1)
  })

  /** A settlement left pending, its transaction then dropped from the pool: only the chain decides now. */
  async function pendingThenDropped(payer: LocalAccount) {
    const { settler } = await actors(0n)
    const exact = scheme(settler, { sendMethod: 'async', receiptTimeoutMs: 100, replaceAfterMs: 600_000 })
    const paid = await input(payer)
    await devnet.testClient.setAutomine(false)
    const failure = (await exact.settle(paid).catch((error: unknown) => error)) as {
      code: string
      details: { transaction: Hex }
    }
    expect(failure.code).toBe('settlement_pending')
    const { transaction } = failure.details
    await devnet.testClient.request({
      method: 'anvil_dropTransaction' as never,
      params: [transaction] as never,
    })
    return { exact, paid, transaction }
  }

  const tokenAbi = parseAbi([
    'function cancelAuthorization(address authorizer, bytes32 nonce, bytes signature)',
    'function transferWithAuthorization(address from, address to, uint256 value, uint256 validAfter, uint256 validBefore, bytes32 nonce, bytes signature)',
  ])

  test('behavior: the authorization canceled by its payer while pending -> status failed (authorization_canceled), nothing moved', async () => {
    const { payer } = await actors()
    const { exact, paid, transaction } = await pendingThenDropped(payer)
    const nonce = (paid.payload.authorization as { nonce: Hex }).nonce
    const signature = await payer.signTypedData({
      domain: {
        name: 'USD Coin',
        version: '2',
        chainId: devnet.chainId,
        verifyingContract: devnet.tokens.usdc.address,
      },
      types: {
        CancelAuthorization: [
          { name: 'authorizer', type: 'address' },
          { name: 'nonce', type: 'bytes32' },
        ],
      },
      primaryType: 'CancelAuthorization',
      message: { authorizer: payer.address, nonce },
    })
    const wallet = devnet.walletClient(0)
    await wallet.writeContract({
      address: devnet.tokens.usdc.address,
      abi: tokenAbi,
      functionName: 'cancelAuthorization',
      args: [payer.address, nonce, signature],
      chain: devnet.chain,
      account: wallet.account!,
      gas: 200_000n,
    })
    await devnet.mine(1)
    await expect(exact.settlementStatus({ input: paid, transaction })).resolves.toEqual({
      status: 'failed',
      transaction,
      reason: 'authorization_canceled',
    })
    expect(await transfersFrom(payer.address)).toEqual([])
  })

  test('behavior: the authorization settled by another relayer while ours was lost -> status confirmed with that transaction', async () => {
    const { payer } = await actors()
    const { exact, paid, transaction } = await pendingThenDropped(payer)
    const authorization = paid.payload.authorization as Record<string, string>
    const wallet = devnet.walletClient(0)
    const other = await wallet.writeContract({
      address: devnet.tokens.usdc.address,
      abi: tokenAbi,
      functionName: 'transferWithAuthorization',
      args: [
        authorization.from as Address,
        authorization.to as Address,
        BigInt(authorization.value as string),
        BigInt(authorization.validAfter as string),
        BigInt(authorization.validBefore as string),
        authorization.nonce as Hex,
        paid.payload.signature as Hex,
      ],
      chain: devnet.chain,
      account: wallet.account!,
      gas: 200_000n,
    })
    await devnet.mine(1)
    await expect(exact.settlementStatus({ input: paid, transaction })).resolves.toMatchObject({
      status: 'confirmed',
      transaction: other,
      payer: payer.address,
      logIndex: expect.any(Number),
    })
    expect(await transfersFrom(payer.address)).toEqual([{ transactionHash: other, value: 10_000n }])
  })

  test('behavior: a settlement recorded but never sent (the process died) -> a new process sends the recorded bytes again -> confirmed, paid once', async () => {
    const { settler, payer } = await actors()
    const paid = await input(payer)
    const { signed, dead } = await signedButNotSent(scheme(settler), paid)
    expect(await transfersFrom(payer.address)).toEqual([])
    const sendsBefore = proxy.calls('eth_sendRawTransaction')
    // Another process, knowing only the record.
    const status = await scheme(settler).settlementStatus({ input: paid, ...signed })
    expect(status).toMatchObject({
      status: 'confirmed',
      transaction: signed.transaction,
      payer: payer.address,
    })
    expect(proxy.calls('eth_sendRawTransaction') - sendsBefore).toBe(1)
    expect(await transfersFrom(payer.address)).toEqual([
      { transactionHash: signed.transaction, value: 10_000n },
    ])
    expect(dead.code).toBe('store_unavailable')
  })

  test('behavior: a settlement recorded but never sent whose settler nonce another transaction took -> failed nonce_taken, never sent, and the authorization settles anew once', async () => {
    const { settler, payer } = await actors()
    const paid = await input(payer)
    const { signed } = await signedButNotSent(scheme(settler), paid)
    // The restarted settler uses the same nonce for another payment.
    const other = await actors()
    const restarted = scheme(settler)
    const otherPaid = await input(other.payer)
    await restarted.verify(otherPaid)
    await restarted.settle(otherPaid)
    const sendsBefore = proxy.calls('eth_sendRawTransaction')
    const status = await restarted.settlementStatus({ input: paid, ...signed })
    expect(status).toEqual({ status: 'failed', transaction: signed.transaction, reason: 'nonce_taken' })
    expect(proxy.calls('eth_sendRawTransaction') - sendsBefore).toBe(0)
    await restarted.verify(paid)
    const settled = await restarted.settle(paid)
    expect(await transfersFrom(payer.address)).toEqual([
      { transactionHash: settled.transaction, value: 10_000n },
    ])
  })
})

/** Settles until the transaction is signed, then fails the record as a dying process would: nothing is sent. */
async function signedButNotSent(
  exact: ReturnType<typeof scheme>,
  paid: ExactInput,
): Promise<{ signed: { transaction: string; raw: string }; dead: TollgateError }> {
  await exact.verify(paid)
  let signed: { transaction: string; raw: string } | undefined
  const dead = await exact
    .settle(paid, {
      onSigned: async (reported) => {
        signed = reported
        throw new TollgateError('store_unavailable', 'The record could not be written.', {
          details: { settled: false },
        })
      },
    })
    .then(
      () => undefined,
      (error: unknown) => error,
    )
  if (signed === undefined || !TollgateError.is(dead)) throw new Error('settle did not stop at onSigned')
  return { signed, dead }
}
