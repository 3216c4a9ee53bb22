import type { Devnet } from '@tollgate/testkit'
import {
  type Address,
  encodeFunctionData,
  erc20Abi,
  getAddress,
  type Hex,
  type LocalAccount,
  parseGwei,
  zeroAddress,
} from 'viem'
import { generatePrivateKey, privateKeyToAccount } from 'viem/accounts'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import type { AssetInfo } from '../src/chains/types.js'
import { createEvmExactScheme } from '../src/evm/create-evm-exact-scheme.js'
import type { PaymentRequirements } from '../src/protocol/types.js'
import { createJsonRpc } from '../src/rpc/create-json-rpc.js'
import type { ExactInput } from '../src/scheme/types.js'
import { balanceOf, devnetRegistry, startDevnet } from './support/devnet-gate.js'
import { signExactPayload, usdcRequirements } from './support/exact-payment.js'

let devnet: Devnet
let payTo: Address
let settler: LocalAccount
let payer: LocalAccount
let usdcAsset: AssetInfo

beforeAll(async () => {
  devnet = await startDevnet()
  payTo = devnet.accounts[9]!.address
  settler = privateKeyToAccount(devnet.accounts[7]!.privateKey)
  payer = privateKeyToAccount(devnet.accounts[1]!.privateKey)
  usdcAsset = devnetRegistry(devnet).asset(devnet.network, devnet.tokens.usdc.address)
})
afterAll(async () => {
  await devnet?.stop()
})

function requirementsFor(overrides: Partial<PaymentRequirements> = {}): PaymentRequirements {
  return { ...usdcRequirements(devnet, payTo), ...overrides }
}

function makeScheme(
  options: { account?: LocalAccount; receiptTimeoutMs?: number; simulationMaxAgeMs?: number } = {},
) {
  const rpc = createJsonRpc({ url: devnet.rpcUrl })
  const scheme = createEvmExactScheme({
    rpc,
    chainId: devnet.chainId,
    settler: options.account ?? settler,
    ...(options.simulationMaxAgeMs === undefined ? {} : { simulationMaxAgeMs: options.simulationMaxAgeMs }),
    ...(options.receiptTimeoutMs === undefined ? {} : { receiptTimeoutMs: options.receiptTimeoutMs }),
  })
  return { rpc, scheme }
}

async function input(
  options: Partial<Parameters<typeof signExactPayload>[0]> & { asset?: AssetInfo } = {},
): Promise<ExactInput> {
  const requirements = options.requirements ?? requirementsFor()
  const payload = await signExactPayload({ devnet, signer: payer, ...options, requirements })
  return { payload, requirements, asset: options.asset ?? usdcAsset }
}

const roundTrips = async (rpc: { stats: { roundTrips: number } }, task: () => Promise<unknown>) => {
  const before = rpc.stats.roundTrips
  await task()
  return rpc.stats.roundTrips - before
}

describe('createEvmExactScheme', () => {
  test('default: extra and identify are offline', async () => {
    const { scheme, rpc } = makeScheme()
    expect(scheme.extra(usdcAsset)).toEqual({ name: 'USD Coin', version: '2' })
    expect(scheme.extra({ ...usdcAsset, eip712: undefined } as unknown as AssetInfo)).toBeUndefined()
    const paid = await input()
    const identity = scheme.identify(paid)
    const authorization = paid.payload.authorization as Record<string, string>
    expect(identity).toEqual({
      payer: payer.address,
      key: `${devnet.tokens.usdc.address.toLowerCase()}:${payer.address.toLowerCase()}:${authorization.nonce}`,
      validBefore: Number(authorization.validBefore),
    })
    expect(() => scheme.identify({ ...paid, payload: { ...paid.payload, extra: 1 } })).toThrowError(
      expect.objectContaining({ code: 'invalid_payload' }),
    )
    expect(rpc.stats.roundTrips).toBe(0)
  })

  test('behavior: verify is one JSON-RPC round trip, cold or warm; with simulationMaxAgeMs, settle right after it is one', async () => {
    const { scheme, rpc } = makeScheme({
      account: privateKeyToAccount(devnet.accounts[6]!.privateKey),
      simulationMaxAgeMs: 60_000,
    })
    const first = await input()
    expect(await roundTrips(rpc, () => scheme.verify(first))).toBe(1)
    const callsBefore = rpc.stats.calls
    const second = await input()
    expect(await roundTrips(rpc, () => scheme.verify(second))).toBe(1)
    // Warm: authorizationState, balanceOf and the simulation (chain id, token domain, settler nonce
    // cached; fees too, when read less than 2 s ago).
    expect(rpc.stats.calls - callsBefore).toBeGreaterThanOrEqual(3)
    expect(rpc.stats.calls - callsBefore).toBeLessThanOrEqual(5)
    // Verify's simulation, fees and nonce stand in for the settlement's: only the send is left,
    // and eth_sendRawTransactionSync answers with the receipt.
    const before = await balanceOf(devnet, devnet.tokens.usdc.address, payTo)
    const settled = await (async () => {
      const start = rpc.stats.roundTrips
      const result = await scheme.settle(first)
      return { result, roundTrips: rpc.stats.roundTrips - start }
    })()
    expect(settled.roundTrips).toBe(1)
    expect(settled.result).toMatchObject({ payer: payer.address, logIndex: expect.any(Number) })
    // The same payer's first settlement was broadcast after `second` was verified: simulated again.
    expect(await roundTrips(rpc, () => scheme.settle(second))).toBe(2)
    expect((await balanceOf(devnet, devnet.tokens.usdc.address, payTo)) - before).toBe(20_000n)
  })

  test('default: settle simulates again right before the send: two round trips after verify', async () => {
    const { scheme, rpc } = makeScheme({ account: privateKeyToAccount(devnet.accounts[6]!.privateKey) })
    const paid = await input()
    expect(await roundTrips(rpc, () => scheme.verify(paid))).toBe(1)
    expect(await roundTrips(rpc, () => scheme.settle(paid))).toBe(2)
    const next = await input()
    expect(await roundTrips(rpc, () => scheme.settle(next))).toBe(2)
  })

  test('behavior: a client signature with v = 0/1 is verified and settled (normalised to 27/28)', async () => {
    const { scheme } = makeScheme()
    const paid = await input()
    const signature = paid.payload.signature as Hex
    const v = Number.parseInt(signature.slice(130), 16)
    const compact = `${signature.slice(0, 130)}${(v - 27).toString(16).padStart(2, '0')}` as Hex
    const raw = { ...paid, payload: { ...paid.payload, signature: compact } }
    await expect(scheme.verify(raw)).resolves.toEqual({ payer: payer.address })
    const before = await balanceOf(devnet, devnet.tokens.usdc.address, payTo)
    await expect(scheme.settle(raw)).resolves.toMatchObject({ payer: payer.address })
    expect((await balanceOf(devnet, devnet.tokens.usdc.address, payTo)) - before).toBe(10_000n)
  })

  test('error: the malleable high-s twin of a valid signature is refused, as the token refuses it', async () => {
    const { scheme } = makeScheme()
    const paid = await input()
    const signature = paid.payload.signature as Hex
    const order = 0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141n
    const s = order - BigInt(`0x${signature.slice(66, 130)}`)
    const v = Number.parseInt(signature.slice(130), 16) === 27 ? '1c' : '1b'
    const twin = `${signature.slice(0, 66)}${s.toString(16).padStart(64, '0')}${v}` as Hex
    await expect(
      scheme.verify({ ...paid, payload: { ...paid.payload, signature: twin } }),
    ).rejects.toMatchObject({
      code: 'invalid_exact_evm_payload_signature',
    })
  })

  test('error: a token whose EIP-712 name or version differs from the requirements', async () => {
    const { scheme } = makeScheme()
    // The payer signs exactly what the (misconfigured) requirements say; the token disagrees.
    const wrongName = requirementsFor({ extra: { name: 'USDC', version: '2' } })
    await expect(scheme.verify(await input({ requirements: wrongName }))).rejects.toMatchObject({
      code: 'invalid_exact_evm_token_name_mismatch',
      details: { expected: 'USDC', actual: 'USD Coin' },
    })
    const wrongVersion = requirementsFor({ extra: { name: 'USD Coin', version: '1' } })
    await expect(scheme.verify(await input({ requirements: wrongVersion }))).rejects.toMatchObject({
      code: 'invalid_exact_evm_token_version_mismatch',
    })
  })

  test('error: an asset that is not an EIP-3009 token', async () => {
    const { scheme } = makeScheme()
    const notAToken = devnet.accounts[5]!.address
    const requirements = requirementsFor({ asset: notAToken })
    await expect(
      scheme.verify(await input({ requirements, asset: { ...usdcAsset, address: notAToken } })),
    ).rejects.toMatchObject({ code: 'invalid_exact_evm_eip3009_not_supported' })
  })

  test('error: a transfer the token refuses shows in the simulation, with its revert reason', async () => {
    const { scheme } = makeScheme()
    const requirements = requirementsFor({ payTo: zeroAddress })
    await expect(scheme.verify(await input({ requirements }))).rejects.toMatchObject({
      code: 'invalid_exact_evm_transaction_simulation_failed',
      details: { reason: 'ERC20: transfer to the zero address' },
    })
  })

  test('error: smart-wallet signatures by a stranger, and long signatures from an account without code', async () => {
    const { scheme } = makeScheme()
    const wallet = getAddress(await devnet.deploySmartWallet(3))
    await devnet.mint('usdc', wallet, 1_000_000n)
    const stranger = privateKeyToAccount(devnet.accounts[4]!.privateKey)
    await expect(scheme.verify(await input({ signer: stranger, from: wallet }))).rejects.toMatchObject({
      code: 'invalid_exact_evm_payload_signature',
    })
    const paid = await input()
    const long = `${paid.payload.signature as string}${'00'.repeat(64)}`
    await expect(
      scheme.verify({ ...paid, payload: { ...paid.payload, signature: long } }),
    ).rejects.toMatchObject({
      code: 'invalid_exact_evm_payload_undeployed_smart_wallet',
    })
  })

  test('error: a settler without gas money -> 503 settler_unfunded with Retry-After, nothing sent', async () => {
    const broke = privateKeyToAccount(generatePrivateKey())
    const { scheme } = makeScheme({ account: broke })
    const paid = await input()
    const before = await balanceOf(devnet, devnet.tokens.usdc.address, payer.address)
    // Refused before the handler would run, then at settle (a gate that settles anyway).
    await expect(scheme.verify(paid)).rejects.toMatchObject({
      code: 'settler_unfunded',
      status: 503,
      retryAfter: expect.any(Number),
      details: { settler: broke.address, balance: 0n },
    })
    const failure = await scheme.settle(paid).catch((error: unknown) => error)
    expect(failure).toMatchObject({
      code: 'settler_unfunded',
      status: 503,
      retryAfter: expect.any(Number),
      details: { settled: false, settler: broke.address },
    })
    // On chain: the settler sent nothing and the payer kept its money.
    expect(await devnet.publicClient.getTransactionCount({ address: broke.address })).toBe(0)
    expect(await balanceOf(devnet, devnet.tokens.usdc.address, payer.address)).toBe(before)
  })

  test('behavior: the nonce manager recovers when the settler key is used elsewhere', async () => {
    const key = devnet.accounts[6]!.privateKey
    const { scheme } = makeScheme({ account: privateKeyToAccount(key) })
    await scheme.settle(await input())
    // Someone else spends the settler's next nonce: the cached count is now stale.
    const hash = await devnet.walletClient(6).sendTransaction({ to: payTo, value: 1n })
    await devnet.publicClient.waitForTransactionReceipt({ hash, pollingInterval: 20 })
    const results = await Promise.all(
      [input(), input(), input()].map(async (next) => scheme.settle(await next)),
    )
    expect(new Set(results.map((result) => result.transaction)).size).toBe(3)
  })

  test('error: no receipt within the timeout -> settlement_pending; settlementStatus gives the final answer', async () => {
    const { scheme } = makeScheme({ receiptTimeoutMs: 300 })
    const paid = await input()
    const before = await balanceOf(devnet, devnet.tokens.usdc.address, payTo)
    await devnet.testClient.setAutomine(false)
    let transaction: string
    try {
      const failure = await scheme.settle(paid).catch((error: unknown) => error)
      expect(failure).toMatchObject({
        code: 'settlement_pending',
        status: 503,
        retryAfter: expect.any(Number),
        details: { transaction: expect.stringMatching(/^0x[0-9a-f]{64}$/) },
      })
      expect((failure as { details: Record<string, unknown> }).details.settled).toBeUndefined()
      transaction = (failure as { details: { transaction: string } }).details.transaction
      await expect(scheme.settlementStatus({ input: paid, transaction })).resolves.toMatchObject({
        status: 'pending',
        transaction,
      })
    } finally {
      await devnet.testClient.setAutomine(true)
    }
    await devnet.mine(1)
    // It landed after all: the status says so, and the money moved once.
    await expect(scheme.settlementStatus({ input: paid, transaction })).resolves.toMatchObject({
      status: 'confirmed',
      transaction,
      payer: payer.address,
      logIndex: expect.any(Number),
    })
    expect((await balanceOf(devnet, devnet.tokens.usdc.address, payTo)) - before).toBe(10_000n)
    await expect(scheme.settle(await input())).resolves.toMatchObject({ payer: payer.address })
  })

  test('error: the transfer reverts on chain (funds moved in the same block) -> transaction_failed, not settled', async () => {
    const spender = privateKeyToAccount(devnet.accounts[2]!.privateKey)
    const { scheme } = makeScheme()
    const paid = await input({ signer: spender })
    const balance = await balanceOf(devnet, devnet.tokens.usdc.address, spender.address)
    await devnet.testClient.setAutomine(false)
    try {
      const settling = scheme.settle(paid).catch((error: unknown) => error)
      // Wait until the settlement is in the pool, then let the payer empty its balance first.
      for (let tries = 0; tries < 100; tries++) {
        const pool = (await devnet.testClient.request({ method: 'txpool_content' as never })) as {
          pending: Record<string, unknown>
        }
        if (Object.keys(pool.pending).length > 0) break
        await new Promise((resolve) => setTimeout(resolve, 10))
      }
      // Signed by hand: viem would estimate against the pending state, where the balance is short.
      const raw = await spender.signTransaction({
        chainId: devnet.chainId,
        nonce: await devnet.publicClient.getTransactionCount({ address: spender.address }),
        to: devnet.tokens.usdc.address,
        data: encodeFunctionData({
          abi: erc20Abi,
          functionName: 'transfer',
          args: [devnet.accounts[0]!.address, balance],
        }),
        gas: 100_000n,
        maxPriorityFeePerGas: parseGwei('100'),
        maxFeePerGas: parseGwei('200'),
        type: 'eip1559',
      })
      await devnet.publicClient.request({ method: 'eth_sendRawTransaction', params: [raw] })
      await devnet.mine(1)
      const failure = await settling
      expect(failure).toMatchObject({
        code: 'invalid_exact_evm_transaction_failed',
        details: { settled: false, transaction: expect.stringMatching(/^0x[0-9a-f]{64}$/) },
      })
    } finally {
      await devnet.testClient.setAutomine(true)
    }
  })
})
