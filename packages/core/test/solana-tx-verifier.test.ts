import { AccountRole, type Address, generateKeyPairSigner } from '@solana/kit'
import { getTransferCheckedInstruction } from '@solana-program/token'
import type { SolanaDevnet } from '@tollgate/testkit/solana'
import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest'
import type { AssetInfo } from '../src/chains/types.js'
import type { VerifyTransferInput } from '../src/gate/types.js'
import { createSolanaTxVerifier } from '../src/solana/create-solana-tx-verifier.js'
import { createProofMessage } from '../src/tx/create-proof-message.js'
import { signProof, startSolanaDevnet, transferSol, transferToken } from './support/solana-devnet-gate.js'
import { startRpcProxy } from './support/solana-rpc-proxy.js'

let devnet: SolanaDevnet
let proxy: Awaited<ReturnType<typeof startRpcProxy>>
let payTo: Address
let usdc: AssetInfo
let paid: { signature: string; input: VerifyTransferInput }

beforeAll(async () => {
  devnet = await startSolanaDevnet({ accounts: 3 })
  proxy = await startRpcProxy(devnet.rpcUrl)
  payTo = devnet.accounts[2]!.address
  usdc = {
    network: devnet.network,
    address: devnet.tokens.usdc.mint,
    symbol: 'USDC',
    name: 'USD Coin',
    decimals: 6,
    usdPegged: true,
  }
  const transfer = await transferToken(devnet, { from: 0, to: payTo, amount: 1000n })
  paid = { signature: transfer.signature, input: await inputFor(transfer.signature, 0) }
})
afterAll(async () => {
  await proxy?.close()
  await devnet?.stop()
})
afterEach(() => {
  for (const method of ['getTransaction', 'getGenesisHash']) proxy.rule(method, undefined)
  proxy.seen.length = 0
})

async function inputFor(transaction: string, signer: number, overrides: Partial<VerifyTransferInput> = {}) {
  const message = createProofMessage({ network: devnet.network, transaction, challenge: 'challenge' })
  const now = Math.floor(Date.now() / 1000)
  return {
    transaction,
    message,
    signature: await signProof(devnet.accounts[signer]!.signer, message),
    asset: usdc,
    payTo,
    amount: 1000n,
    confirmations: 1,
    notBefore: now - 3600,
    notAfter: now + 30,
    hints: {},
    ...overrides,
  } satisfies VerifyTransferInput
}

function verifier(options: Partial<Parameters<typeof createSolanaTxVerifier>[0]> = {}) {
  return createSolanaTxVerifier({
    rpcUrl: proxy.url,
    network: devnet.network,
    timeoutMs: 1000,
    ...options,
  } as Parameters<typeof createSolanaTxVerifier>[0])
}

// biome-ignore lint/suspicious/noExplicitAny: the tests reach into raw RPC JSON to bend it.
type RawAnswer = Record<string, any>

/** A deep copy of a getTransaction answer with `change` applied. */
function bend(change: (answer: RawAnswer) => void) {
  return (result: unknown) => {
    const copy = structuredClone(result) as RawAnswer
    change(copy)
    return copy
  }
}

describe('createSolanaTxVerifier', () => {
  test('default: verifies through the proxy; the genesis hash is checked once, in the same round trip', async () => {
    const check = verifier()
    const result = await check.verifyTransfer(paid.input)
    expect(result).toEqual({
      payer: devnet.accounts[0]!.address,
      amount: 1000n,
      blockTime: expect.any(Number),
      // The instruction that credited payTo: the transfer's on-chain identity.
      transferIds: [expect.stringMatching(/^\d+$/)],
    })
    expect(proxy.seen).toEqual(['getTransaction', 'getGenesisHash'])
    await check.verifyTransfer(paid.input)
    expect(proxy.seen).toEqual(['getTransaction', 'getGenesisHash', 'getTransaction'])
  })

  test('behavior: parseTransaction accepts base58 signatures of 64 bytes only', () => {
    const check = verifier()
    expect(check.parseTransaction(paid.signature)).toBe(paid.signature)
    for (const value of [
      undefined,
      42,
      '',
      `0x${'ab'.repeat(32)}`,
      '1'.repeat(63),
      paid.signature.slice(0, 40),
      `${paid.signature}1`,
      `${paid.signature.slice(0, -1)}0`,
      'z'.repeat(500),
    ]) {
      expect(check.parseTransaction(value)).toBeUndefined()
    }
  })

  test('error: a node of another cluster fails closed', async () => {
    await expect(
      verifier({ network: 'solana:EtWTRABZaYq6iMfeYKouRu166VU2xqa1' }).verifyTransfer(paid.input),
    ).rejects.toMatchObject({ code: 'rpc_unavailable', retryAfter: 30 })
  })

  const bent: [string, (answer: RawAnswer) => void][] = [
    ['an answer about another transaction', (answer) => (answer.transaction.signatures[0] = '1'.repeat(64))],
    ['no block time', (answer) => (answer.blockTime = null)],
    ['no meta', (answer) => (answer.meta = null)],
    ['malformed balances', (answer) => (answer.meta.preBalances = 'many')],
    ['a missing err', (answer) => delete answer.meta.err],
    [
      'a malformed transfer',
      (answer) => (answer.transaction.message.instructions[1].parsed.info.tokenAmount = 5),
    ],
    [
      'too many account keys',
      (answer) =>
        (answer.transaction.message.accountKeys = Array(300).fill(answer.transaction.message.accountKeys[0])),
    ],
  ]
  test.each(bent)('error: %s -> rpc_unavailable', async (_name, change) => {
    proxy.rule('getTransaction', { result: bend(change) })
    await expect(verifier().verifyTransfer(paid.input)).rejects.toMatchObject({
      code: 'rpc_unavailable',
      retryAfter: 2,
    })
  })

  test('error: JSON-RPC errors, HTTP errors, oversized and slow answers -> rpc_unavailable', async () => {
    proxy.rule('getTransaction', { error: { code: -32603, message: 'Internal error' } })
    await expect(verifier().verifyTransfer(paid.input)).rejects.toMatchObject({ code: 'rpc_unavailable' })
    proxy.rule('getTransaction', { httpStatus: 500 })
    await expect(verifier().verifyTransfer(paid.input)).rejects.toMatchObject({ code: 'rpc_unavailable' })
    proxy.rule('getTransaction', { padToBytes: 200_000 })
    await expect(verifier({ maxResponseBytes: 100_000 }).verifyTransfer(paid.input)).rejects.toMatchObject({
      code: 'rpc_unavailable',
      message: 'The RPC answer is larger than 100000 bytes.',
    })
    proxy.rule('getTransaction', { delayMs: 400 })
    await expect(verifier({ timeoutMs: 100 }).verifyTransfer(paid.input)).rejects.toMatchObject({
      code: 'rpc_unavailable',
      message: 'The RPC node did not answer within 100 ms.',
    })
  })

  test('error: balances a node inflates cannot pay more than the instructions moved, and the reverse', async () => {
    const input = { ...paid.input, amount: 2000n }
    // Balances say payTo gained a million, the instruction moved 1000: 1000 was paid.
    proxy.rule('getTransaction', {
      result: bend((answer) => {
        for (const entry of answer.meta.postTokenBalances) {
          if (entry.owner === payTo)
            entry.uiTokenAmount.amount = String(BigInt(entry.uiTokenAmount.amount) + 1_000_000n)
        }
      }),
    })
    await expect(verifier().verifyTransfer(input)).rejects.toMatchObject({
      code: 'verify_amount_insufficient',
      details: { paid: 1000n, required: 2000n },
    })
    // The instruction claims a million, the balances show 1000: 1000 was paid.
    proxy.rule('getTransaction', {
      result: bend(
        (answer) => (answer.transaction.message.instructions[1].parsed.info.tokenAmount.amount = '1000000'),
      ),
    })
    await expect(verifier().verifyTransfer(input)).rejects.toMatchObject({
      code: 'verify_amount_insufficient',
      details: { paid: 1000n },
    })
  })

  test('error: lamport balances beyond 2^53 are not guessed at', async () => {
    const sol = await transferSol(devnet, { from: 1, to: payTo, amount: 5000n })
    const input = await inputFor(sol.signature, 1, {
      amount: 5000n,
      asset: { ...usdc, address: 'native', symbol: 'SOL', decimals: 9, usdPegged: false },
    })
    expect(await verifier().verifyTransfer(input)).toMatchObject({
      amount: 5000n,
      payer: devnet.accounts[1]!.address,
    })
    proxy.rule('getTransaction', {
      result: bend((answer) => {
        const index = answer.transaction.message.accountKeys.findIndex(
          (key: { pubkey: string }) => key.pubkey === payTo,
        )
        answer.meta.postBalances[index] = 2 ** 60
      }),
    })
    await expect(verifier().verifyTransfer(input)).rejects.toMatchObject({ code: 'rpc_unavailable' })
  })

  test('behavior: an authority reported as multisigAuthority pays only if it signed the transaction', async () => {
    // A reference account after the authority (Solana Pay style) makes the validator report it so.
    const payer = devnet.accounts[1]!.signer
    const transfer = getTransferCheckedInstruction({
      source: await devnet.tokenAccount('usdc', payer.address),
      mint: devnet.tokens.usdc.mint,
      destination: await devnet.tokenAccount('usdc', payTo),
      authority: payer,
      amount: 1000n,
      decimals: 6,
    })
    const reference = (await generateKeyPairSigner()).address
    const sent = await devnet.send(
      [{ ...transfer, accounts: [...transfer.accounts, { address: reference, role: AccountRole.READONLY }] }],
      { feePayer: payer },
    )
    const input = await inputFor(sent.signature, 1)
    expect(await verifier().verifyTransfer(input)).toMatchObject({ payer: payer.address, amount: 1000n })
    // Had that account not signed the transaction (a real multisig never does), nobody could claim it.
    proxy.rule('getTransaction', {
      result: bend((answer) => {
        for (const key of answer.transaction.message.accountKeys)
          if (key.pubkey === payer.address) key.signer = false
      }),
    })
    await expect(verifier().verifyTransfer(input)).rejects.toMatchObject({ code: 'verify_payer_mismatch' })
  })

  test('error: a signature by the payer over another message is refused', async () => {
    const input = {
      ...paid.input,
      message: paid.input.message.replace('challenge: challenge', 'challenge: other'),
    }
    await expect(verifier().verifyTransfer(input)).rejects.toMatchObject({ code: 'verify_payer_mismatch' })
  })

  test('error: configuration mistakes are config_invalid', () => {
    expect(() => verifier({ network: 'eip155:1' })).toThrow(
      expect.objectContaining({ code: 'config_invalid' }),
    )
    expect(() => verifier({ commitment: 'processed' as never })).toThrow(
      expect.objectContaining({ code: 'config_invalid' }),
    )
  })
})
