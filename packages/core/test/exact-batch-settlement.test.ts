import type { Devnet } from '@tollgate/testkit'
import {
  type Address,
  encodeFunctionData,
  type Hex,
  keccak256,
  type LocalAccount,
  parseEventLogs,
  parseGwei,
  type TransactionSerializable,
} from 'viem'
import { privateKeyToAccount } from 'viem/accounts'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { createEvmExactScheme } from '../src/evm/create-evm-exact-scheme.js'
import { createNonceManager } from '../src/evm/create-nonce-manager.js'
import {
  createSettlementBatcher,
  MULTICALL3_ADDRESS,
  type SentBatch,
} from '../src/evm/create-settlement-batcher.js'
import { eip3009Abi } from '../src/evm/eip3009-abi.js'
import { encodeTransfer } from '../src/evm/exact-calls.js'
import { parseExactPayload } from '../src/evm/parse-exact-payload.js'
import { createJsonRpc } from '../src/rpc/create-json-rpc.js'
import type { ExactInput } from '../src/scheme/types.js'
import { balanceOf, devnetRegistry, startDevnet } from './support/devnet-gate.js'
import { signExactPayload, usdcRequirements } from './support/exact-payment.js'

let devnet: Devnet
let payTo: Address

beforeAll(async () => {
  devnet = await startDevnet()
  payTo = devnet.accounts[9]!.address
})
afterAll(async () => {
  await devnet?.stop()
})

const account = (index: number): LocalAccount => privateKeyToAccount(devnet.accounts[index]!.privateKey)

const requirements = () => usdcRequirements(devnet, payTo)

/** The token call that settles `payload`, as a transaction without a nonce. */
function tokenCall(payload: ExactInput['payload']): TransactionSerializable {
  return {
    type: 'eip1559',
    chainId: devnet.chainId,
    to: devnet.tokens.usdc.address,
    data: encodeTransfer(parseExactPayload(payload), true),
    gas: 150_000n,
    maxFeePerGas: parseGwei('20'),
    maxPriorityFeePerGas: parseGwei('1'),
  }
}

/** Each payer's signed authorization, as the scheme's input. */
function inputsOf(payers: readonly LocalAccount[]): Promise<ExactInput[]> {
  const asset = devnetRegistry(devnet).asset(devnet.network, devnet.tokens.usdc.address)
  return Promise.all(
    payers.map(async (payer) => ({
      payload: await signExactPayload({ devnet, signer: payer, requirements: requirements() }),
      requirements: requirements(),
      asset,
    })),
  )
}

/** A signed authorization of `payer`, as the settler's call of the token. */
async function transferBy(payer: LocalAccount) {
  const payload = await signExactPayload({ devnet, signer: payer, requirements: requirements() })
  return { payload, transaction: tokenCall(payload), nonce: payload.authorization.nonce as Hex }
}

function batcherOf(
  settler: LocalAccount,
  multicall: Address | undefined = MULTICALL3_ADDRESS,
  maxWaitMs = 20,
) {
  const rpc = createJsonRpc({ url: devnet.rpcUrl })
  return createSettlementBatcher({
    rpc,
    nonces: createNonceManager({ rpc, address: settler.address }),
    signTransaction: (transaction) => settler.signTransaction(transaction),
    bumpFees: (transaction) => transaction,
    multicall,
    maxSize: 16,
    maxWaitMs,
  })
}

/** The `Transfer` logs of the token in a mined transaction, read from the chain. */
async function transfersIn(hash: Hex) {
  const receipt = (await devnet.publicClient.request({
    method: 'eth_getTransactionReceipt',
    params: [hash],
  } as never)) as { status: Hex; logs: { address: string; topics: [Hex, ...Hex[]]; data: Hex }[] }
  expect(receipt.status).toBe('0x1')
  return parseEventLogs({ abi: eip3009Abi, eventName: 'Transfer', logs: receipt.logs as never }).map(
    (log) => (log.args as { from: Address }).from,
  )
}

async function used(payer: Address, nonce: Hex): Promise<boolean> {
  const answer = (await devnet.publicClient.request({
    method: 'eth_call',
    params: [
      {
        to: devnet.tokens.usdc.address,
        data: encodeFunctionData({
          abi: eip3009Abi,
          functionName: 'authorizationState',
          args: [payer, nonce],
        }),
      },
      'latest',
    ],
  } as never)) as Hex
  return BigInt(answer) !== 0n
}

describe('createSettlementBatcher', () => {
  test('default: settlements waiting together go in one transaction, recorded by each before it is sent', async () => {
    const batcher = batcherOf(account(6))
    const payers = [account(1), account(2), account(3)]
    const transfers = await Promise.all(payers.map(transferBy))
    const before = await balanceOf(devnet, devnet.tokens.usdc.address, payTo)
    const recorded: Hex[][] = payers.map(() => [])
    const sent = await Promise.all(
      transfers.map(({ transaction }, index) =>
        batcher.send({
          transaction,
          onSigned: async ({ transaction: hash, raw }) => {
            expect(keccak256(raw)).toBe(hash)
            recorded[index]!.push(hash)
          },
        }),
      ),
    )
    const [first] = sent as [SentBatch]
    expect(sent.every((batch) => batch === first)).toBe(true)
    expect(first.size).toBe(3)
    expect(recorded).toEqual([[first.sent.hash], [first.sent.hash], [first.sent.hash]])
    expect(await transfersIn(first.sent.hash)).toEqual(payers.map((payer) => payer.address))
    expect((await balanceOf(devnet, devnet.tokens.usdc.address, payTo)) - before).toBe(30_000n)
  })

  test('error: a member whose record fails is left out, and the others are signed again without it', async () => {
    const batcher = batcherOf(account(7))
    const payers = [account(1), account(2), account(3)]
    const transfers = await Promise.all(payers.map(transferBy))
    const recorded: Hex[][] = payers.map(() => [])
    const failure = new Error('the store is down')
    const outcomes = await Promise.allSettled(
      transfers.map(({ transaction }, index) =>
        batcher.send({
          transaction,
          onSigned: async ({ transaction: hash }) => {
            recorded[index]!.push(hash)
            if (index === 1) throw failure
          },
        }),
      ),
    )
    expect(outcomes[1]).toEqual({ status: 'rejected', reason: failure })
    const kept = outcomes[0] as PromiseFulfilledResult<SentBatch>
    expect(outcomes[2]).toEqual(kept)
    expect(kept.value.size).toBe(2)
    // The first signing carried all three; the one broadcast, signed again, carries two.
    expect(recorded[0]).toEqual([recorded[1]![0], kept.value.sent.hash])
    expect(recorded[2]).toEqual(recorded[0])
    expect(await transfersIn(kept.value.sent.hash)).toEqual([payers[0]!.address, payers[2]!.address])
    expect(await used(payers[1]!.address, transfers[1]!.nonce)).toBe(false)
  })

  test('behavior: a settlement announced while it is prepared is waited for, and joins the transaction', async () => {
    // A wait long enough that only the announced settlement's arrival can end it.
    const batcher = batcherOf(account(6), MULTICALL3_ADDRESS, 60_000)
    const [warm, first, second] = await Promise.all([account(3), account(1), account(2)].map(transferBy))
    // The settler's nonce is known after one send: the next transaction's turn comes at once.
    await batcher.send({ transaction: warm!.transaction, onSigned: async () => {} })
    const ticket = batcher.announce()
    const sending = batcher.send({ transaction: first!.transaction, onSigned: async () => {} })
    // Prepared later (its simulation, say): the first one's transaction has waited for it.
    await new Promise((resolve) => setImmediate(resolve))
    const joined = await batcher.send({ transaction: second!.transaction, onSigned: async () => {} }, ticket)
    const sent = await sending
    expect(joined).toBe(sent)
    expect(sent.size).toBe(2)
    expect(await transfersIn(sent.sent.hash)).toEqual([account(1).address, account(2).address])
  })

  test('behavior: an announced settlement that stops before sending stops the wait', async () => {
    const batcher = batcherOf(account(6), MULTICALL3_ADDRESS, 60_000)
    const { transaction } = await transferBy(account(1))
    const ticket = batcher.announce()
    const sending = batcher.send({ transaction, onSigned: async () => {} })
    await new Promise((resolve) => setImmediate(resolve))
    ticket.cancel()
    ticket.cancel() // Twice counts once.
    const sent = await sending
    expect(sent.size).toBe(1)
    expect(await transfersIn(sent.sent.hash)).toEqual([account(1).address])
    // Nothing is announced any more: the next settlement does not wait either.
    const next = await transferBy(account(2))
    const alone = await batcher.send({ transaction: next.transaction, onSigned: async () => {} })
    expect(await transfersIn(alone.sent.hash)).toEqual([account(2).address])
  })

  test('behavior: without the contract, a settlement does not wait for others on their way', async () => {
    // A wait this long would outlast the test: only not waiting lets it pass.
    const batcher = batcherOf(account(8), '0x00000000000000000000000000000000000b47c5', 60_000)
    const { transaction } = await transferBy(account(1))
    const ticket = batcher.announce()
    const sent = await batcher.send({ transaction, onSigned: async () => {} })
    ticket.cancel()
    expect(sent.size).toBe(1)
    expect(await transfersIn(sent.sent.hash)).toEqual([account(1).address])
  })

  test('behavior: without the contract at its address, each settlement goes alone', async () => {
    const batcher = batcherOf(account(8), '0x00000000000000000000000000000000000b47c4')
    const payers = [account(1), account(2), account(3)]
    const transfers = await Promise.all(payers.map(transferBy))
    const sent = await Promise.all(
      transfers.map(({ transaction }) => batcher.send({ transaction, onSigned: async () => {} })),
    )
    expect(sent.map((batch) => batch.size)).toEqual([1, 1, 1])
    expect(new Set(sent.map((batch) => batch.sent.hash)).size).toBe(3)
    for (const [index, batch] of sent.entries())
      expect(await transfersIn(batch.sent.hash)).toEqual([payers[index]!.address])
  })
})

describe('exact settlement in a shared transaction', () => {
  test('behavior: a payer whose authorization someone else submitted meanwhile is settled by that transaction, charged once; the others share one', async () => {
    const settler = account(5)
    const scheme = createEvmExactScheme({
      rpc: createJsonRpc({ url: devnet.rpcUrl }),
      chainId: devnet.chainId,
      settler,
      // Verify's simulation stands in for settle's: the authorization is used between the two.
      simulationMaxAgeMs: 60_000,
    })
    const payers = [account(1), account(2), account(3)]
    const inputs = await inputsOf(payers)
    for (const input of inputs) await scheme.verify(input)
    // Someone else submits the second payer's authorization first.
    const front = account(4)
    const frontHash = (await devnet.publicClient.request({
      method: 'eth_sendRawTransaction',
      params: [
        await front.signTransaction({
          ...tokenCall(inputs[1]!.payload),
          nonce: await devnet.publicClient.getTransactionCount({
            address: front.address,
            blockTag: 'pending',
          }),
        }),
      ],
    } as never)) as Hex
    const before = await Promise.all(
      payers.map((payer) => balanceOf(devnet, devnet.tokens.usdc.address, payer.address)),
    )
    const outcomes = await Promise.all(inputs.map((input) => scheme.settle(input)))
    const shared = outcomes[0]!.transaction as Hex
    expect(outcomes[2]!.transaction).toBe(shared)
    // Its call in the shared transaction failed alone; the chain shows the transfer it authorized.
    expect(outcomes[1]).toMatchObject({ transaction: frontHash, payer: payers[1]!.address })
    expect(await transfersIn(shared)).toEqual([payers[0]!.address, payers[2]!.address])
    expect(await transfersIn(frontHash)).toEqual([payers[1]!.address])
    const after = await Promise.all(
      payers.map((payer) => balanceOf(devnet, devnet.tokens.usdc.address, payer.address)),
    )
    expect(after.map((balance, index) => before[index]! - balance)).toEqual([10_000n, 0n, 10_000n])
  })

  test('behavior: a shared transaction recorded but never sent (the gate died in between) is sent by a fresh gate asking after any of its settlements, and settles all of them once', async () => {
    const settler = account(4)
    const payers = [account(1), account(2)]
    const inputs = await inputsOf(payers)
    // The batch is signed and recorded by both; then the process dies before the send (here: the
    // records throw after keeping the bytes, so nothing is broadcast).
    const batcher = batcherOf(settler)
    const records: { transaction: Hex; raw: Hex }[] = []
    const died = new Error('killed before the send')
    const outcomes = await Promise.allSettled(
      inputs.map((input) =>
        batcher.send({
          transaction: tokenCall(input.payload),
          onSigned: async (signed) => {
            records.push(signed)
            throw died
          },
        }),
      ),
    )
    expect(outcomes.map((outcome) => outcome.status)).toEqual(['rejected', 'rejected'])
    const [record] = records as [{ transaction: Hex; raw: Hex }]
    expect(records).toEqual([record, record])
    const before = await Promise.all(
      payers.map((payer) => balanceOf(devnet, devnet.tokens.usdc.address, payer.address)),
    )
    // A fresh gate (another instance, or this one restarted) asks about the first settlement.
    const fresh = createEvmExactScheme({
      rpc: createJsonRpc({ url: devnet.rpcUrl }),
      chainId: devnet.chainId,
      settler,
    })
    const first = await fresh.settlementStatus({ input: inputs[0]!, ...record })
    const status =
      first.status === 'pending' ? await fresh.settlementStatus({ input: inputs[0]!, ...record }) : first
    expect(status).toMatchObject({
      status: 'confirmed',
      transaction: record.transaction,
      payer: payers[0]!.address,
    })
    expect(await fresh.settlementStatus({ input: inputs[1]!, ...record })).toMatchObject({
      status: 'confirmed',
      transaction: record.transaction,
      payer: payers[1]!.address,
    })
    expect(await transfersIn(record.transaction)).toEqual(payers.map((payer) => payer.address))
    const after = await Promise.all(
      payers.map((payer) => balanceOf(devnet, devnet.tokens.usdc.address, payer.address)),
    )
    expect(after.map((balance, index) => before[index]! - balance)).toEqual([10_000n, 10_000n])
  })

  test('behavior: a shared transaction stuck unmined is replaced once for all its settlements, each recording the replacement first', async () => {
    const settler = account(3)
    const scheme = createEvmExactScheme({
      rpc: createJsonRpc({ url: devnet.rpcUrl }),
      chainId: devnet.chainId,
      settler,
      sendMethod: 'async',
      receiptPollingMs: 10,
      replaceAfterMs: 50,
      simulationMaxAgeMs: 60_000,
    })
    const payers = [account(1), account(2)]
    const inputs = await inputsOf(payers)
    for (const input of inputs) await scheme.verify(input)
    const nonceBefore = await devnet.publicClient.getTransactionCount({ address: settler.address })
    const recorded: Hex[][] = payers.map(() => [])
    await devnet.publicClient.request({ method: 'evm_setAutomine', params: [false] } as never)
    try {
      const settling = Promise.all(
        inputs.map((input, index) =>
          scheme.settle(input, {
            onSigned: async ({ transaction }) => {
              recorded[index]!.push(transaction as Hex)
            },
          }),
        ),
      )
      await until(() => recorded.every((hashes) => hashes.length >= 2))
      await devnet.publicClient.request({ method: 'evm_setAutomine', params: [true] } as never)
      await devnet.publicClient.request({ method: 'evm_mine', params: [] } as never)
      const results = await settling
      // One transaction and its replacement, the same for both settlements, each recorded by both.
      expect(recorded[1]).toEqual(recorded[0])
      expect(new Set(recorded[0]).size).toBe(recorded[0]!.length)
      const mined = results[0]!.transaction as Hex
      expect(results[1]!.transaction).toBe(mined)
      expect(recorded[0]).toContain(mined)
      expect(await transfersIn(mined)).toEqual(payers.map((payer) => payer.address))
      expect(await devnet.publicClient.getTransactionCount({ address: settler.address })).toBe(
        nonceBefore + 1,
      )
    } finally {
      await devnet.publicClient.request({ method: 'evm_setAutomine', params: [true] } as never)
    }
  })
})

async function until(condition: () => boolean): Promise<void> {
  while (!condition()) await new Promise((resolve) => setTimeout(resolve, 5))
}
