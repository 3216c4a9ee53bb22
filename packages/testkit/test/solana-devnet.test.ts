import { createServer } from 'node:net'
import {
  type Address,
  appendTransactionMessageInstructions,
  type Blockhash,
  createSolanaRpc,
  createTransactionMessage,
  devnet as devnetUrl,
  generateKeyPairSigner,
  getBase64EncodedWireTransaction,
  getSignatureFromTransaction,
  type Instruction,
  isSolanaError,
  type KeyPairSigner,
  lamports,
  pipe,
  type Signature,
  SOLANA_ERROR__JSON_RPC__SERVER_ERROR_SEND_TRANSACTION_PREFLIGHT_FAILURE,
  setTransactionMessageFeePayerSigner,
  setTransactionMessageLifetimeUsingBlockhash,
  signTransactionMessageWithSigners,
} from '@solana/kit'
import { getTransferSolInstruction } from '@solana-program/system'
import {
  findAssociatedTokenPda,
  getCreateAssociatedTokenIdempotentInstruction,
  getTransferCheckedInstruction,
} from '@solana-program/token'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { type SolanaDevnet, startSolanaDevnet } from '../src/solana/start-solana-devnet.js'

let devnet: SolanaDevnet
let rpc: ReturnType<typeof createSolanaRpc>

beforeAll(async () => {
  devnet = await startSolanaDevnet()
  rpc = createSolanaRpc(devnet.rpcUrl)
})
afterAll(() => devnet?.stop())

/** Builds and signs a transaction with the latest blockhash from the RPC, as a wallet does. */
async function signed(
  feePayer: KeyPairSigner,
  instructions: Instruction[],
  blockhash?: { blockhash: Blockhash; lastValidBlockHeight: bigint },
) {
  const lifetime = blockhash ?? (await rpc.getLatestBlockhash().send()).value
  const transaction = await signTransactionMessageWithSigners(
    pipe(
      createTransactionMessage({ version: 0 }),
      (draft) => setTransactionMessageFeePayerSigner(feePayer, draft),
      (draft) => setTransactionMessageLifetimeUsingBlockhash(lifetime, draft),
      (draft) => appendTransactionMessageInstructions(instructions, draft),
    ),
  )
  return {
    wire: getBase64EncodedWireTransaction(transaction),
    signature: getSignatureFromTransaction(transaction),
  }
}

async function tokenTransfer(from: KeyPairSigner, to: Address, amount: bigint) {
  const { mint, programAddress: tokenProgram, decimals } = devnet.tokens.usdc
  const [source] = await findAssociatedTokenPda({ owner: from.address, mint, tokenProgram })
  const [destination] = await findAssociatedTokenPda({ owner: to, mint, tokenProgram })
  return [
    getCreateAssociatedTokenIdempotentInstruction({
      payer: from,
      ata: destination,
      owner: to,
      mint,
      tokenProgram,
    }),
    getTransferCheckedInstruction({ source, mint, destination, authority: from, amount, decimals }),
  ]
}

async function post(body: unknown, headers: Record<string, string> = {}) {
  const response = await fetch(devnet.rpcUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  })
  return {
    status: response.status,
    json: response.status === 200 ? await response.json() : await response.text(),
  }
}

function getTransaction(signature: string, config: Record<string, unknown> = {}) {
  return post({
    jsonrpc: '2.0',
    id: 1,
    method: 'getTransaction',
    params: [
      signature,
      { encoding: 'jsonParsed', maxSupportedTransactionVersion: 0, commitment: 'confirmed', ...config },
    ],
  })
}

describe('startSolanaDevnet', () => {
  test('default: a deterministic cluster with two USDC-like mints; JSON holds addresses, never keys', () => {
    const json = devnet.toJSON()
    expect(Object.keys(json)).toEqual(['rpcUrl', 'network', 'genesisHash', 'tokens', 'accounts'])
    expect(json.rpcUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/)
    expect(JSON.parse(JSON.stringify(devnet))).toEqual(json)
    expect(json.accounts).toHaveLength(10)
    expect(json.accounts.every((account) => Object.keys(account).join() === 'address')).toBe(true)
    expect({ ...json, rpcUrl: undefined, accounts: json.accounts.slice(0, 2) }).toMatchInlineSnapshot(`
      {
        "accounts": [
          {
            "address": "5LHL4oQWNjRbqaWg3cz8drQcf8RfbGSLCVzDdHSfpbV5",
          },
          {
            "address": "13kYmdNenQcVWC6xRb4saXHoqsz3YfMJDuZP8EQBWy6K",
          },
        ],
        "genesisHash": "993hKDBEhMnDH6M4qR6Lrmj7bhmqtwLL4SXA2fERFaS9",
        "network": "solana:993hKDBEhMnDH6M4qR6Lrmj7bhmqtwLL",
        "rpcUrl": undefined,
        "tokens": {
          "usdc": {
            "decimals": 6,
            "mint": "DKTtRfWcdCaE1saiyi5y9e2F9VDxq1rtHLxwQ2SzLFqp",
            "programAddress": "TokenkegQfeZyiNwAJbNbGKPFXCWuBvf9Ss623VQ5DA",
          },
          "usdc2022": {
            "decimals": 6,
            "mint": "DhEPZZeD9WdRkNsjRTmSP4KdrFXJrhb5zJeJNUQ32yrL",
            "programAddress": "TokenzQdBNbLqP5VEhdkAS6EPFLC1PHnBqCXEpPxuEb",
          },
        },
      }
    `)
  })

  test('behavior: every account holds 1,000 SOL and 1,000,000 of each token, as kit reads them', async () => {
    expect(await rpc.getGenesisHash().send()).toBe(devnet.genesisHash)
    for (const { address } of devnet.accounts) {
      expect((await rpc.getBalance(address).send()).value).toBe(1_000_000_000_000n)
      for (const token of [devnet.tokens.usdc, devnet.tokens.usdc2022]) {
        const [account] = await findAssociatedTokenPda({
          owner: address,
          mint: token.mint,
          tokenProgram: token.programAddress,
        })
        expect((await rpc.getTokenAccountBalance(account).send()).value).toEqual({
          amount: '1000000000000',
          decimals: 6,
          uiAmount: 1_000_000,
          uiAmountString: '1000000',
        })
      }
    }
    const mint = await rpc.getAccountInfo(devnet.tokens.usdc2022.mint, { encoding: 'jsonParsed' }).send()
    expect(mint.value).toMatchObject({
      owner: devnet.tokens.usdc2022.programAddress,
      rentEpoch: 18_446_744_073_709_551_615n,
      data: {
        program: 'spl-token-2022',
        parsed: {
          type: 'mint',
          info: { decimals: 6, supply: '10000000000000', mintAuthority: devnet.mintAuthority.address },
        },
      },
    })
    const owned = await rpc
      .getTokenAccountsByOwner(
        devnet.accounts[0]!.address,
        { programId: devnet.tokens.usdc.programAddress },
        { encoding: 'jsonParsed' },
      )
      .send()
    expect(owned.value.map((entry) => entry.account.data.parsed.info.mint)).toEqual([devnet.tokens.usdc.mint])
    expect(await rpc.getMinimumBalanceForRentExemption(165n).send()).toBe(2_039_280n)
  })

  test('behavior: getTransaction answers a real transfer in jsonParsed the way a validator does', async () => {
    const payer = devnet.accounts[0]!.signer
    const recipient = (await generateKeyPairSigner()).address
    const { wire, signature } = await signed(payer, await tokenTransfer(payer, recipient, 1234n))
    const timeBefore = devnet.time()
    expect(await rpc.sendTransaction(wire as never, { encoding: 'base64' }).send()).toBe(signature)
    const { json } = await getTransaction(signature)
    const result = json.result
    const [payerAccount] = await findAssociatedTokenPda({
      owner: payer.address,
      mint: devnet.tokens.usdc.mint,
      tokenProgram: devnet.tokens.usdc.programAddress,
    })
    const [recipientAccount] = await findAssociatedTokenPda({
      owner: recipient,
      mint: devnet.tokens.usdc.mint,
      tokenProgram: devnet.tokens.usdc.programAddress,
    })
    const keys: string[] = result.transaction.message.accountKeys.map((key: { pubkey: string }) => key.pubkey)
    expect(result.version).toBe(0)
    expect(result.blockTime).toBeGreaterThanOrEqual(timeBefore)
    expect(result.transaction.signatures).toEqual([signature])
    expect(result.transaction.message.accountKeys[0]).toEqual({
      pubkey: payer.address,
      signer: true,
      source: 'transaction',
      writable: true,
    })
    expect(result.transaction.message.instructions).toEqual([
      {
        program: 'spl-associated-token-account',
        programId: 'ATokenGPvbdGVxr1b2hvZbsiqW5xWH25efTNsLJA8knL',
        parsed: {
          type: 'createIdempotent',
          info: {
            account: recipientAccount,
            mint: devnet.tokens.usdc.mint,
            source: payer.address,
            systemProgram: '11111111111111111111111111111111',
            tokenProgram: devnet.tokens.usdc.programAddress,
            wallet: recipient,
          },
        },
        stackHeight: null,
      },
      {
        program: 'spl-token',
        programId: devnet.tokens.usdc.programAddress,
        parsed: {
          type: 'transferChecked',
          info: {
            authority: payer.address,
            destination: recipientAccount,
            mint: devnet.tokens.usdc.mint,
            source: payerAccount,
            tokenAmount: { amount: '1234', decimals: 6, uiAmount: 0.001234, uiAmountString: '0.001234' },
          },
        },
        stackHeight: null,
      },
    ])
    // The real ATA program's CPIs, recorded as inner instructions of instruction 0.
    expect(result.meta.innerInstructions).toHaveLength(1)
    expect(result.meta.innerInstructions[0].index).toBe(0)
    expect(
      result.meta.innerInstructions[0].instructions.map(
        (inner: { parsed: { type: string }; stackHeight: number }) => [inner.parsed.type, inner.stackHeight],
      ),
    ).toEqual([
      ['getAccountDataSize', 2],
      ['createAccount', 2],
      ['initializeImmutableOwner', 2],
      ['initializeAccount3', 2],
    ])
    // Token balances by account index, owner and mint; the new account has no pre-balance.
    const entry = (list: { accountIndex: number; uiTokenAmount: { amount: string } }[], account: string) =>
      list.find((balance) => balance.accountIndex === keys.indexOf(account))
    expect(entry(result.meta.preTokenBalances, recipientAccount)).toBeUndefined()
    expect(entry(result.meta.postTokenBalances, recipientAccount)).toEqual({
      accountIndex: keys.indexOf(recipientAccount),
      mint: devnet.tokens.usdc.mint,
      owner: recipient,
      programId: devnet.tokens.usdc.programAddress,
      uiTokenAmount: { amount: '1234', decimals: 6, uiAmount: 0.001234, uiAmountString: '0.001234' },
    })
    expect(
      BigInt(entry(result.meta.preTokenBalances, payerAccount)!.uiTokenAmount.amount) -
        BigInt(entry(result.meta.postTokenBalances, payerAccount)!.uiTokenAmount.amount),
    ).toBe(1234n)
    // The fee payer paid the fee and the new account's rent, nothing else.
    expect(result.meta.fee).toBe(5000)
    expect(result.meta.preBalances[0] - result.meta.postBalances[0]).toBe(5000 + 2_039_280)
    expect(result.meta).toMatchObject({ err: null, status: { Ok: null }, rewards: [] })
    expect(result.meta.logMessages).toContain(`Program ${devnet.tokens.usdc.programAddress} success`)
  })

  test('error: a failing transaction is refused by preflight, and lands with its error without it', async () => {
    const poor = await generateKeyPairSigner()
    await devnet.airdrop(poor.address, 10_000_000n)
    const payer = devnet.accounts[1]!.signer
    const tooMuch = getTransferSolInstruction({
      source: poor,
      destination: payer.address,
      amount: 1_000_000_000n,
    })
    const refused = await signed(payer, [tooMuch])
    const error = await rpc
      .sendTransaction(refused.wire as never, { encoding: 'base64' })
      .send()
      .catch((failure: unknown) => failure)
    expect(
      isSolanaError(error, SOLANA_ERROR__JSON_RPC__SERVER_ERROR_SEND_TRANSACTION_PREFLIGHT_FAILURE),
    ).toBe(true)
    const raw = await post({
      jsonrpc: '2.0',
      id: 1,
      method: 'sendTransaction',
      params: [refused.wire, { encoding: 'base64' }],
    })
    expect(raw.json.error).toMatchObject({
      code: -32002,
      message: 'Transaction simulation failed: Error processing Instruction 0: custom program error: 0x1',
      data: {
        err: { InstructionError: [0, { Custom: 1 }] },
        logs: expect.arrayContaining([
          'Program 11111111111111111111111111111111 failed: custom program error: 0x1',
        ]),
      },
    })
    expect((await getTransaction(refused.signature)).json.result).toBeNull()
    expect((await rpc.getSignatureStatuses([refused.signature as Signature]).send()).value).toEqual([null])

    // Without preflight it is executed: it fails, pays its fee, and is recorded with its error.
    const before = devnet.balance(payer.address)
    const failed = await signed(payer, [tooMuch])
    await rpc.sendTransaction(failed.wire as never, { encoding: 'base64', skipPreflight: true }).send()
    const status = (await rpc.getSignatureStatuses([failed.signature as Signature]).send()).value[0]
    // kit parses integers as bigints.
    expect(status).toMatchObject({
      err: { InstructionError: [0n, { Custom: 1n }] },
      confirmationStatus: 'finalized',
    })
    const record = (await getTransaction(failed.signature)).json.result
    expect(record.meta).toMatchObject({
      err: { InstructionError: [0, { Custom: 1 }] },
      status: { Err: { InstructionError: [0, { Custom: 1 }] } },
      fee: 10_000,
    })
    expect(before - devnet.balance(payer.address)).toBe(10_000n)
    expect(devnet.balance(poor.address)).toBe(10_000_000n)
  })

  test('behavior: recent blockhashes are accepted for 150 blocks; duplicates and expired ones are refused', async () => {
    const payer = devnet.accounts[2]!.signer
    const old = (await rpc.getLatestBlockhash().send()).value
    const first = await signed(
      payer,
      [getTransferSolInstruction({ source: payer, destination: devnet.accounts[3]!.address, amount: 1n })],
      old,
    )
    await rpc.sendTransaction(first.wire as never, { encoding: 'base64' }).send()
    // Another block later, the same blockhash still works for a different transaction…
    const second = await signed(
      payer,
      [getTransferSolInstruction({ source: payer, destination: devnet.accounts[3]!.address, amount: 2n })],
      old,
    )
    await rpc.sendTransaction(second.wire as never, { encoding: 'base64' }).send()
    expect((await rpc.isBlockhashValid(old.blockhash).send()).value).toBe(true)
    // …but the same transaction twice is refused,
    const again = await post({
      jsonrpc: '2.0',
      id: 1,
      method: 'sendTransaction',
      params: [first.wire, { encoding: 'base64' }],
    })
    expect(again.json.error).toMatchObject({ code: -32002, data: { err: 'AlreadyProcessed' } })
    // and past its last valid block height the blockhash is gone.
    devnet.advanceSlots(151)
    expect((await rpc.getBlockHeight().send()) > old.lastValidBlockHeight).toBe(true)
    const late = await signed(
      payer,
      [getTransferSolInstruction({ source: payer, destination: devnet.accounts[3]!.address, amount: 3n })],
      old,
    )
    const expired = await post({
      jsonrpc: '2.0',
      id: 1,
      method: 'sendTransaction',
      params: [late.wire, { encoding: 'base64' }],
    })
    expect(expired.json.error).toMatchObject({
      code: -32002,
      message: 'Transaction simulation failed: Blockhash not found',
      data: { err: 'BlockhashNotFound' },
    })
    // Without preflight it is dropped, as a leader drops it: it never lands.
    await rpc.sendTransaction(late.wire as never, { encoding: 'base64', skipPreflight: true }).send()
    expect((await rpc.getSignatureStatuses([late.signature as Signature]).send()).value).toEqual([null])
  })

  test('behavior: every transaction is a block; slots and the clock move with helpers', async () => {
    const payer = devnet.accounts[4]!.signer
    const slot = await rpc.getSlot().send()
    const sent = await devnet.send(
      [getTransferSolInstruction({ source: payer, destination: devnet.accounts[5]!.address, amount: 1n })],
      { feePayer: payer },
    )
    const landed = (await getTransaction(sent.signature)).json.result
    expect(BigInt(landed.slot)).toBe(slot + 1n)
    expect(await rpc.getSlot().send()).toBe(slot + 1n)
    devnet.advanceSlots(10)
    expect(await rpc.getSlot().send()).toBe(slot + 11n)
    devnet.advanceTime(3600)
    const later = await devnet.send(
      [getTransferSolInstruction({ source: payer, destination: devnet.accounts[5]!.address, amount: 2n })],
      { feePayer: payer },
    )
    const record = (await getTransaction(later.signature)).json.result
    expect(record.blockTime - landed.blockTime).toBeGreaterThanOrEqual(3600)
    expect(record.blockTime - Math.floor(Date.now() / 1000)).toBeGreaterThanOrEqual(3599)
  })

  test('behavior: finalization trails confirmation by finalizeAfterSlots', async () => {
    const slow = await startSolanaDevnet({ accounts: 1, finalizeAfterSlots: 32, tokenBalance: 0n })
    try {
      const client = createSolanaRpc(slow.rpcUrl)
      const payer = slow.accounts[0]!.signer
      const { signature } = await slow.send(
        [getTransferSolInstruction({ source: payer, destination: slow.mintAuthority.address, amount: 1n })],
        { feePayer: payer },
      )
      const status = async () => (await client.getSignatureStatuses([signature]).send()).value[0]
      expect(await status()).toMatchObject({ confirmationStatus: 'confirmed', confirmations: 0n })
      const finalized = await client
        .getTransaction(signature, {
          commitment: 'finalized',
          encoding: 'json',
          maxSupportedTransactionVersion: 0,
        })
        .send()
      expect(finalized).toBeNull()
      expect(
        await client
          .getTransaction(signature, {
            commitment: 'confirmed',
            encoding: 'json',
            maxSupportedTransactionVersion: 0,
          })
          .send(),
      ).not.toBeNull()
      slow.advanceSlots(31)
      expect(await status()).toMatchObject({ confirmationStatus: 'confirmed', confirmations: 31n })
      slow.advanceSlots(1)
      expect(await status()).toMatchObject({ confirmationStatus: 'finalized', confirmations: null })
      expect(
        await client
          .getTransaction(signature, {
            commitment: 'finalized',
            encoding: 'json',
            maxSupportedTransactionVersion: 0,
          })
          .send(),
      ).not.toBeNull()
    } finally {
      await slow.stop()
    }
  })

  test('behavior: simulateTransaction, requestAirdrop and the other helpers', async () => {
    const payer = devnet.accounts[6]!.signer
    const { wire } = await signed(payer, await tokenTransfer(payer, devnet.accounts[7]!.address, 5n))
    const simulation = await rpc
      .simulateTransaction(wire as never, { encoding: 'base64', replaceRecentBlockhash: true })
      .send()
    expect(simulation.value).toMatchObject({ err: null, accounts: null })
    expect(simulation.value.unitsConsumed).toBeGreaterThan(0n)
    expect(simulation.value.logs).toContain(`Program ${devnet.tokens.usdc.programAddress} success`)
    // Simulation changes nothing.
    expect(await devnet.tokenBalance('usdc', devnet.accounts[7]!.address)).toBe(1_000_000_000_000n)

    const fresh = (await generateKeyPairSigner()).address
    const testRpc = createSolanaRpc(devnetUrl(devnet.rpcUrl))
    const airdrop = await testRpc.requestAirdrop(fresh, lamports(5_000_000n)).send()
    expect((await rpc.getSignatureStatuses([airdrop]).send()).value[0]).toMatchObject({ err: null })
    expect(devnet.balance(fresh)).toBe(5_000_000n)
    await devnet.mint('usdc2022', fresh, 42n)
    expect(await devnet.tokenBalance('usdc2022', fresh)).toBe(42n)
    expect(await devnet.tokenBalance('usdc', fresh)).toBe(0n)
    expect(devnet.getTransaction(airdrop)).toMatchObject({ meta: { err: null } })
    expect(devnet.rpcStats().calls.requestAirdrop).toBeGreaterThanOrEqual(1)
  })

  test("error: JSON-RPC protocol errors use a validator's codes", async () => {
    expect((await post('{not json')).json).toEqual({
      jsonrpc: '2.0',
      id: null,
      error: { code: -32700, message: 'Parse error' },
    })
    expect((await post({ jsonrpc: '2.0', id: 7, method: 'getNothing', params: [] })).json).toEqual({
      jsonrpc: '2.0',
      id: 7,
      error: { code: -32601, message: 'Method not found' },
    })
    expect(
      (await post({ jsonrpc: '2.0', id: 8, method: 'getBalance', params: ['nope'] })).json.error.code,
    ).toBe(-32602)
    expect((await post([])).json.error.code).toBe(-32600)
    expect((await post({ jsonrpc: '2.0', id: 1, method: 'getSlot', params: [] }, {})).status).toBe(200)
    expect((await post(`[${'1,'.repeat(200_000)}1]`)).status).toBe(413)
    const batch = await post([
      { jsonrpc: '2.0', id: 1, method: 'getGenesisHash', params: [] },
      { jsonrpc: '2.0', id: 2, method: 'getHealth', params: [] },
    ])
    expect(batch.json).toEqual([
      { jsonrpc: '2.0', id: 1, result: devnet.genesisHash },
      { jsonrpc: '2.0', id: 2, result: 'ok' },
    ])
    const signature = (await devnet.airdrop((await generateKeyPairSigner()).address, 1_000_000n)) as string
    expect((await getTransaction(signature, { commitment: 'processed' })).json.error.code).toBe(-32602)
    const versionless = await post({
      jsonrpc: '2.0',
      id: 1,
      method: 'getTransaction',
      params: [signature, { encoding: 'jsonParsed' }],
    })
    expect(versionless.json.error.code).toBe(-32015)
    expect(await (await fetch(`${devnet.rpcUrl}/health`)).text()).toBe('ok')
  })

  test('behavior: stop() frees the port and is idempotent', async () => {
    const other = await startSolanaDevnet({ accounts: 0 })
    const port = Number(new URL(other.rpcUrl).port)
    expect(await (await fetch(`${other.rpcUrl}/health`)).text()).toBe('ok')
    await Promise.all([other.stop(), other.stop()])
    await other.stop()
    await expect(fetch(`${other.rpcUrl}/health`)).rejects.toThrow()
    // The port can be listened on again.
    await new Promise<void>((resolve, reject) => {
      const server = createServer()
      server.once('error', reject)
      server.listen(port, '127.0.0.1', () => server.close(() => resolve()))
    })
  })
})
