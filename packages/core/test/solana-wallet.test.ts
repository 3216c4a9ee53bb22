import { inspect } from 'node:util'
import { type Address, generateKeyPairSigner, getBase58Decoder, type KeyPairSigner } from '@solana/kit'
import type { SolanaDevnet } from '@tollgate/testkit/solana'
import { afterAll, beforeAll, describe, expect, test, vi } from 'vitest'
import { SOLANA_DEVNET } from '../src/chains/default-chains.js'
import type { AssetInfo } from '../src/chains/types.js'
import { createGate } from '../src/gate/create-gate.js'
import type { GateRejected } from '../src/gate/types.js'
import { decodePaymentRequiredHeader } from '../src/protocol/payment-required-header.js'
import { encodePaymentSignatureHeader } from '../src/protocol/payment-signature-header.js'
import type { PaymentRequirements } from '../src/protocol/types.js'
import type { ExtraCost, Wallet } from '../src/scheme/wallet.js'
import { createSolanaSignerFromSeed } from '../src/solana/create-solana-signer-from-seed.js'
import { generateSolanaSigner } from '../src/solana/generate-solana-signer.js'
import { solanaNetwork } from '../src/solana/solana-network.js'
import { solanaWallet } from '../src/solana/solana-wallet.js'
import { createProofMessage } from '../src/tx/create-proof-message.js'
import { quietLogger } from './support/quiet-logger.js'
import { solanaRegistry, startSolanaDevnet, transferToken } from './support/solana-devnet-gate.js'
import { startRpcProxy } from './support/solana-rpc-proxy.js'

const SECRET = 'test-secret-test-secret-test-secret-0001'
const ORIGIN = 'http://127.0.0.1:4021'
let devnet: SolanaDevnet
let payTo: Address

beforeAll(async () => {
  devnet = await startSolanaDevnet()
  payTo = devnet.accounts[9]!.address
})
afterAll(async () => {
  await devnet?.stop()
})

function walletFor(signer: KeyPairSigner, options: Partial<Parameters<typeof solanaWallet>[0]> = {}) {
  return solanaWallet({
    signer,
    rpcUrl: devnet.rpcUrl,
    networks: [devnet.network],
    pollingIntervalMs: 10,
    ...options,
  })
}

function gateFor(recipient: string = payTo) {
  return createGate({
    logger: quietLogger,
    routes: {
      'GET /api/search': { price: '$0.01' },
      'GET /api/native': { price: '0.002 SOL' },
      'GET /api/token22': { price: '0.5 USDC22' },
    },
    payTo: recipient,
    networks: [
      solanaNetwork({ network: devnet.network, rpcUrl: devnet.rpcUrl, assets: ['USDC', 'USDC22', 'native'] }),
    ],
    secret: SECRET,
    registry: solanaRegistry(devnet),
  })
}

async function requirementsOf(gate: ReturnType<typeof gateFor>, path: string, asset: string) {
  const decision = await gate.check(new Request(`${ORIGIN}${path}`))
  const header = (decision as GateRejected).response.headers.get('PAYMENT-REQUIRED')!
  const requirements = decodePaymentRequiredHeader(header).accepts.find((entry) => entry.asset === asset)
  if (requirements === undefined) throw new Error(`no requirement in ${asset}`)
  return requirements
}

function assetOf(requirements: PaymentRequirements): AssetInfo {
  return solanaRegistry(devnet).asset(requirements.network, requirements.asset)
}

/** What a paying client does with a `tx` requirement: transfer, wait, prove, retry. */
async function payThroughGate(
  wallet: Wallet,
  gate: ReturnType<typeof gateFor>,
  path: string,
  asset: string,
  approveExtraCost: (cost: ExtraCost) => Promise<boolean> = async () => false,
) {
  const requirements = await requirementsOf(gate, path, asset)
  expect(wallet.supports(requirements)).toBe(true)
  const { transaction } = await wallet.sendTransfer!({
    requirements,
    asset: assetOf(requirements),
    approveExtraCost,
  })
  const { hints } = await wallet.confirmTransfer!({
    requirements,
    transaction,
    confirmations: 1,
    timeoutMs: 30_000,
  })
  const challenge = requirements.extra.challenge as string
  const signature = await wallet.signProof!({
    network: requirements.network,
    message: createProofMessage({ network: requirements.network, transaction, challenge }),
  })
  const header = encodePaymentSignatureHeader({
    x402Version: 2,
    accepted: requirements,
    payload: { transaction, challenge, signature, ...hints },
  })
  const decision = await gate.check(
    new Request(`${ORIGIN}${path}`, { headers: { 'PAYMENT-SIGNATURE': header } }),
  )
  return { requirements, transaction, decision }
}

describe('solanaWallet', () => {
  test('default: pays an SPL requirement end to end: send, confirm, prove, admitted', async () => {
    const wallet = walletFor(devnet.accounts[0]!.signer)
    const gate = gateFor()
    const before = await devnet.tokenBalance('usdc', payTo)
    const { decision, transaction } = await payThroughGate(
      wallet,
      gate,
      '/api/search',
      devnet.tokens.usdc.mint,
    )
    expect(decision).toMatchObject({
      outcome: 'paid',
      receipt: { payer: devnet.accounts[0]!.address, amount: '10000', transaction },
    })
    expect((await devnet.tokenBalance('usdc', payTo)) - before).toBe(10_000n)
    // A transferChecked from the payer's associated account to payTo's, signed by the payer. Its random
    // reference account makes a validator list the authority as `multisigAuthority`, as for Solana Pay.
    const record = devnet.getTransaction(transaction) as {
      transaction: {
        message: { instructions: { parsed?: { type: string; info: Record<string, unknown> } }[] }
      }
    }
    expect(record.transaction.message.instructions.map((instruction) => instruction.parsed?.type)).toEqual([
      'transferChecked',
    ])
    expect(record.transaction.message.instructions[0]?.parsed?.info).toMatchObject({
      multisigAuthority: devnet.accounts[0]!.address,
      signers: [expect.any(String)],
      destination: await devnet.tokenAccount('usdc', payTo),
      mint: devnet.tokens.usdc.mint,
      source: await devnet.tokenAccount('usdc', devnet.accounts[0]!.address),
      tokenAmount: { amount: '10000', decimals: 6 },
    })
  })

  test('behavior: equal payments sent at once are distinct transactions, and each is admitted once', async () => {
    const wallet = walletFor(devnet.accounts[8]!.signer)
    const gate = gateFor()
    const requirements = await Promise.all(
      Array.from({ length: 5 }, () => requirementsOf(gate, '/api/search', devnet.tokens.usdc.mint)),
    )
    const before = await devnet.tokenBalance('usdc', payTo)
    // Same payer, amount, recipient and (very likely) blockhash: without a reference they would collide.
    const sent = await Promise.all(
      requirements.map((entry) =>
        wallet.sendTransfer!({
          requirements: entry,
          asset: assetOf(entry),
          approveExtraCost: async () => false,
        }),
      ),
    )
    expect(new Set(sent.map((entry) => entry.transaction)).size).toBe(5)
    expect((await devnet.tokenBalance('usdc', payTo)) - before).toBe(50_000n)
    const decisions = await Promise.all(
      sent.map(async ({ transaction }, index) => {
        const entry = requirements[index]!
        await wallet.confirmTransfer!({
          requirements: entry,
          transaction,
          confirmations: 1,
          timeoutMs: 30_000,
        })
        const challenge = entry.extra.challenge as string
        const signature = await wallet.signProof!({
          network: entry.network,
          message: createProofMessage({ network: entry.network, transaction, challenge }),
        })
        const header = encodePaymentSignatureHeader({
          x402Version: 2,
          accepted: entry,
          payload: { transaction, challenge, signature },
        })
        return gate.check(new Request(`${ORIGIN}/api/search`, { headers: { 'PAYMENT-SIGNATURE': header } }))
      }),
    )
    expect(decisions.map((decision) => decision.outcome)).toEqual(['paid', 'paid', 'paid', 'paid', 'paid'])
  })

  test('behavior: pays in SOL and in a Token-2022 mint', async () => {
    const wallet = walletFor(devnet.accounts[1]!.signer)
    const gate = gateFor()
    const lamportsBefore = devnet.balance(payTo)
    const native = await payThroughGate(wallet, gate, '/api/native', 'native')
    expect(native.decision).toMatchObject({ outcome: 'paid', receipt: { amount: '2000000' } })
    expect(devnet.balance(payTo) - lamportsBefore).toBe(2_000_000n)
    const token22 = await payThroughGate(wallet, gate, '/api/token22', devnet.tokens.usdc2022.mint)
    expect(token22.decision).toMatchObject({
      outcome: 'paid',
      receipt: { amount: '500000', asset: devnet.tokens.usdc2022.mint },
    })
  })

  test("behavior: asks approval for creating payTo's token account, and declines cleanly", async () => {
    const fresh = (await generateKeyPairSigner()).address
    const wallet = walletFor(devnet.accounts[2]!.signer)
    const gate = gateFor(fresh)
    const requirements = await requirementsOf(gate, '/api/search', devnet.tokens.usdc.mint)
    const approveExtraCost = vi.fn(async (_cost: ExtraCost) => false)
    const lamportsBefore = devnet.balance(devnet.accounts[2]!.address)
    const slotBefore = devnet.slot()
    await expect(
      wallet.sendTransfer!({ requirements, asset: assetOf(requirements), approveExtraCost }),
    ).rejects.toMatchObject({
      code: 'policy_approval_declined',
      details: {
        reason: 'create_token_account',
        network: devnet.network,
        asset: 'native',
        amount: 2_039_280n,
      },
    })
    expect(approveExtraCost).toHaveBeenCalledExactlyOnceWith({
      reason: 'create_token_account',
      network: devnet.network,
      asset: 'native',
      amount: 2_039_280n,
    })
    // Nothing was sent: no block, no fee, no account.
    expect(devnet.slot()).toBe(slotBefore)
    expect(devnet.balance(devnet.accounts[2]!.address)).toBe(lamportsBefore)
    expect(devnet.svm.getAccount(await devnet.tokenAccount('usdc', fresh)).exists).toBe(false)

    // Approved: the account is created in the paying transaction, and the gate admits it.
    const approved = await payThroughGate(
      wallet,
      gate,
      '/api/search',
      devnet.tokens.usdc.mint,
      async () => true,
    )
    expect(approved.decision.outcome).toBe('paid')
    expect(await devnet.tokenBalance('usdc', fresh)).toBe(10_000n)
    const record = devnet.getTransaction(approved.transaction) as {
      transaction: { message: { instructions: { parsed?: { type: string } }[] } }
    }
    expect(record.transaction.message.instructions.map((instruction) => instruction.parsed?.type)).toEqual([
      'createIdempotent',
      'transferChecked',
    ])
    // Token-2022 accounts are larger (ImmutableOwner), so they cost more rent.
    const gate22 = gateFor((await generateKeyPairSigner()).address)
    const requirements22 = await requirementsOf(gate22, '/api/token22', devnet.tokens.usdc2022.mint)
    await expect(
      wallet.sendTransfer!({
        requirements: requirements22,
        asset: assetOf(requirements22),
        approveExtraCost,
      }),
    ).rejects.toMatchObject({ code: 'policy_approval_declined', details: { amount: 2_074_080n } })
  })

  test('error: a wallet that cannot afford the payment fails before signing anything', async () => {
    const empty = await generateSolanaSigner()
    const wallet = walletFor(empty)
    const gate = gateFor()
    const requirements = await requirementsOf(gate, '/api/search', devnet.tokens.usdc.mint)
    await expect(
      wallet.sendTransfer!({
        requirements,
        asset: assetOf(requirements),
        approveExtraCost: async () => true,
      }),
    ).rejects.toMatchObject({
      code: 'wallet_insufficient_funds',
      details: { balance: 0n, required: 10_000n },
    })
    // SOL: the node's preflight refuses it, nothing is broadcast.
    const native = await requirementsOf(gate, '/api/native', 'native')
    await expect(
      wallet.sendTransfer!({
        requirements: native,
        asset: assetOf(native),
        approveExtraCost: async () => true,
      }),
    ).rejects.toMatchObject({ code: 'wallet_insufficient_funds' })
    expect(await wallet.balance!(devnet.network, 'native')).toBe(0n)
  })

  test('behavior: balances of SOL, both token programs, and a mint that does not exist', async () => {
    const wallet = walletFor(devnet.accounts[3]!.signer)
    expect(await wallet.balance!(devnet.network, devnet.tokens.usdc.mint)).toBe(
      await devnet.tokenBalance('usdc', devnet.accounts[3]!.address),
    )
    expect(await wallet.balance!(devnet.network, devnet.tokens.usdc2022.mint)).toBe(1_000_000_000_000n)
    expect(await wallet.balance!(devnet.network, 'native')).toBe(devnet.balance(devnet.accounts[3]!.address))
    expect(await wallet.balance!(devnet.network, (await generateKeyPairSigner()).address)).toBe(0n)
  })

  test('behavior: supports tx requirements on its networks only', async () => {
    const wallet = walletFor(devnet.accounts[0]!.signer)
    const requirements = await requirementsOf(gateFor(), '/api/search', devnet.tokens.usdc.mint)
    expect(wallet.supports(requirements)).toBe(true)
    expect(wallet.supports({ ...requirements, scheme: 'exact' })).toBe(false)
    expect(wallet.supports({ ...requirements, network: SOLANA_DEVNET })).toBe(false)
    expect(wallet.supports({ ...requirements, payTo: '0x70997970C51812dc3A010C7d01b50e0d17dc79C8' })).toBe(
      false,
    )
    expect(wallet.address(devnet.network)).toBe(devnet.accounts[0]!.address)
    await expect(
      wallet.sendTransfer!({
        requirements: { ...requirements, network: SOLANA_DEVNET },
        asset: assetOf(requirements),
        approveExtraCost: async () => true,
      }),
    ).rejects.toMatchObject({ code: 'no_payable_option' })
  })

  test('error: a wallet whose RPC serves another cluster refuses to pay', async () => {
    // Configured for Solana devnet, but pointed at the local cluster.
    const wallet = solanaWallet({
      signer: devnet.accounts[4]!.signer,
      rpcUrl: devnet.rpcUrl,
      networks: [SOLANA_DEVNET],
    })
    const requirements: PaymentRequirements = {
      scheme: 'tx',
      network: SOLANA_DEVNET,
      asset: 'native',
      amount: '1000',
      payTo,
      maxTimeoutSeconds: 60,
      extra: {},
    }
    const slotBefore = devnet.slot()
    await expect(
      wallet.sendTransfer!({
        requirements,
        asset: {
          network: SOLANA_DEVNET,
          address: 'native',
          symbol: 'SOL',
          name: 'Solana',
          decimals: 9,
          usdPegged: false,
        },
        approveExtraCost: async () => true,
      }),
    ).rejects.toMatchObject({ code: 'wallet_unavailable', details: { genesisHash: devnet.genesisHash } })
    expect(devnet.slot()).toBe(slotBefore)
  })

  test('error: confirmTransfer reports a transaction that failed on chain as payment_failed', async () => {
    const wallet = walletFor(devnet.accounts[5]!.signer)
    const requirements = await requirementsOf(gateFor(), '/api/search', devnet.tokens.usdc.mint)
    const failed = await transferToken(devnet, {
      from: 5,
      to: payTo,
      amount: 10n ** 18n,
      skipPreflight: true,
    })
    expect(failed.landed).toBe(true)
    await expect(
      wallet.confirmTransfer!({
        requirements,
        transaction: failed.signature,
        confirmations: 1,
        timeoutMs: 30_000,
      }),
    ).rejects.toMatchObject({ code: 'payment_failed', details: { transaction: failed.signature } })
  })

  test('behavior: with the finalized commitment, confirmTransfer waits for finalization', async () => {
    const slow = await startSolanaDevnet({ accounts: 1, finalizeAfterSlots: 8 })
    try {
      const wallet = solanaWallet({
        signer: slow.accounts[0]!.signer,
        rpcUrl: slow.rpcUrl,
        networks: [slow.network],
        commitment: 'finalized',
        pollingIntervalMs: 10,
      })
      const requirements: PaymentRequirements = {
        scheme: 'tx',
        network: slow.network,
        asset: 'native',
        amount: '1000000000',
        payTo,
        maxTimeoutSeconds: 60,
        extra: {},
      }
      const asset: AssetInfo = {
        network: slow.network,
        address: 'native',
        symbol: 'SOL',
        name: 'Solana',
        decimals: 9,
        usdPegged: false,
      }
      const { transaction } = await wallet.sendTransfer!({
        requirements,
        asset,
        approveExtraCost: async () => true,
      })
      await expect(
        wallet.confirmTransfer!({ requirements, transaction, confirmations: 1, timeoutMs: 100 }),
      ).rejects.toMatchObject({ code: 'wallet_unavailable', details: { transaction } })
      const confirming = wallet.confirmTransfer!({
        requirements,
        transaction,
        confirmations: 1,
        timeoutMs: 5000,
      })
      setTimeout(() => slow.advanceSlots(8), 50)
      await expect(confirming).resolves.toEqual({ hints: {} })
    } finally {
      await slow.stop()
    }
  })

  test('behavior: a send whose answer is lost still yields the id; a transaction that never lands expires as payment_failed', async () => {
    const proxy = await startRpcProxy(devnet.rpcUrl)
    try {
      const wallet = solanaWallet({
        signer: devnet.accounts[6]!.signer,
        rpcUrl: proxy.url,
        networks: [devnet.network],
        pollingIntervalMs: 10,
      })
      const requirements = await requirementsOf(gateFor(), '/api/search', devnet.tokens.usdc.mint)
      // The node is reachable but the answer to sendTransaction is lost (and it was never delivered).
      proxy.rule('sendTransaction', { httpStatus: 502 })
      const balanceBefore = await devnet.tokenBalance('usdc', devnet.accounts[6]!.address)
      // The id is handed over (to be recorded) before the node is ever asked to send it.
      const signed: { transaction: string; sendsSeen: number }[] = []
      const { transaction } = await wallet.sendTransfer!({
        requirements,
        asset: assetOf(requirements),
        approveExtraCost: async () => true,
        onSigned: async (transfer) => {
          signed.push({
            transaction: transfer.transaction,
            sendsSeen: proxy.seen.filter((method) => method === 'sendTransaction').length,
          })
        },
      })
      expect(signed).toEqual([{ transaction, sendsSeen: 0 }])
      const confirming = wallet.confirmTransfer!({
        requirements,
        transaction,
        confirmations: 1,
        timeoutMs: 5000,
      })
      // Once the chain is past its last valid block height it can never land: the wallet says so.
      setTimeout(() => devnet.advanceSlots(152), 50)
      await expect(confirming).rejects.toMatchObject({
        code: 'payment_failed',
        details: { reason: 'expired' },
      })
      expect(await devnet.tokenBalance('usdc', devnet.accounts[6]!.address)).toBe(balanceBefore)

      // An error answer from the node itself is a definite refusal: nothing was sent.
      proxy.rule('sendTransaction', {
        error: { code: -32005, message: 'Node is unhealthy' },
      })
      await expect(
        wallet.sendTransfer!({
          requirements,
          asset: assetOf(requirements),
          approveExtraCost: async () => true,
        }),
      ).rejects.toMatchObject({ code: 'payment_failed', details: { rpcError: -32005 } })
    } finally {
      await proxy.close()
    }
  })

  test('error: an unreachable node is wallet_unavailable, with nothing sent', async () => {
    const wallet = solanaWallet({
      signer: devnet.accounts[0]!.signer,
      rpcUrl: 'http://127.0.0.1:9',
      networks: [devnet.network],
      rpcTimeoutMs: 500,
    })
    const requirements = await requirementsOf(gateFor(), '/api/search', devnet.tokens.usdc.mint)
    await expect(
      wallet.sendTransfer!({
        requirements,
        asset: assetOf(requirements),
        approveExtraCost: async () => true,
      }),
    ).rejects.toMatchObject({ code: 'wallet_unavailable', retryAfter: 2 })
    await expect(wallet.balance!(devnet.network, 'native')).rejects.toMatchObject({
      code: 'wallet_unavailable',
    })
  })

  test('behavior: signProof signs Tollgate proofs with Ed25519 in base58, and nothing else', async () => {
    const signer = devnet.accounts[7]!.signer
    const wallet = walletFor(signer)
    const message = createProofMessage({
      network: devnet.network,
      transaction: '1'.repeat(64),
      challenge: 'c',
    })
    const signature = await wallet.signProof!({ network: devnet.network, message })
    const bytes = new Uint8Array((await import('@solana/kit')).getBase58Encoder().encode(signature))
    expect(bytes).toHaveLength(64)
    expect(
      await crypto.subtle.verify(
        'Ed25519',
        signer.keyPair.publicKey,
        bytes,
        new TextEncoder().encode(message),
      ),
    ).toBe(true)
    for (const other of [
      'hello',
      `${message.replace(devnet.network, SOLANA_DEVNET)}`,
      `${message}${'x'.repeat(5000)}`,
    ]) {
      await expect(wallet.signProof!({ network: devnet.network, message: other })).rejects.toMatchObject({
        code: 'invalid_payload',
      })
    }
  })
})

describe('Solana signers', () => {
  test('default: generated keys are non-extractable WebCrypto Ed25519 keys', async () => {
    const signer = await generateSolanaSigner()
    expect(signer.keyPair.privateKey).toMatchObject({
      type: 'private',
      extractable: false,
      algorithm: { name: 'Ed25519' },
    })
    for (const format of ['pkcs8', 'jwk', 'raw'] as const) {
      await expect(crypto.subtle.exportKey(format, signer.keyPair.privateKey)).rejects.toThrow()
    }
  })

  test('behavior: a seed always gives the same address, and its key is not extractable either', async () => {
    const seed = new Uint8Array(32).fill(7)
    const [first, second] = await Promise.all([
      createSolanaSignerFromSeed(seed),
      createSolanaSignerFromSeed(seed),
    ])
    expect(first.address).toBe(second.address)
    // Checked against Node's own Ed25519 (node:crypto), independently of @solana/kit.
    expect(first.address).toBe('GmaDrppBC7P5ARKV8g3djiwP89vz1jLK23V2GBjuAEGB')
    await expect(crypto.subtle.exportKey('pkcs8', first.keyPair.privateKey)).rejects.toThrow()
    // The 64-byte key pair form of the Solana CLI gives the same signer.
    const publicKey = new Uint8Array((await import('@solana/kit')).getAddressEncoder().encode(first.address))
    const pair = new Uint8Array([...seed, ...publicKey])
    expect((await createSolanaSignerFromSeed(pair)).address).toBe(first.address)
  })

  test('error: wrong lengths and mismatched key pairs are refused without echoing the bytes', async () => {
    const secret = new Uint8Array(32).fill(0xab)
    await expect(createSolanaSignerFromSeed(new Uint8Array(31))).rejects.toMatchObject({
      code: 'config_invalid',
    })
    const mismatched = new Uint8Array([...secret, ...new Uint8Array(32).fill(1)])
    const error = await createSolanaSignerFromSeed(mismatched).catch((failure: unknown) => failure)
    expect(error).toMatchObject({ code: 'config_invalid' })
    const shown = `${inspect(error, { depth: 10 })}${JSON.stringify(error)}`
    for (const form of leakForms(secret)) expect(shown).not.toContain(form)
    expect((error as Error).cause).toBeUndefined()
  })

  test('behavior: neither JSON nor inspect of a wallet, its errors or its results reveals the key', async () => {
    const seed = crypto.getRandomValues(new Uint8Array(32))
    const signer = await createSolanaSignerFromSeed(seed)
    await devnet.airdrop(signer.address, 1_000_000_000n)
    const wallet = walletFor(signer)
    expect(JSON.stringify(wallet)).toBe('{"specificationVersion":"v1"}')
    const requirements = await requirementsOf(gateFor(), '/api/search', devnet.tokens.usdc.mint)
    const failure = await wallet.sendTransfer!({
      requirements,
      asset: assetOf(requirements),
      approveExtraCost: async () => true,
    }).catch((error: unknown) => error)
    expect(failure).toMatchObject({ code: 'wallet_insufficient_funds' })
    const native = await requirementsOf(gateFor(), '/api/native', 'native')
    const sent = await wallet.sendTransfer!({
      requirements: native,
      asset: assetOf(native),
      approveExtraCost: async () => true,
    })
    const shown = [
      inspect(wallet, { depth: 20, showHidden: true }),
      inspect(signer, { depth: 20, showHidden: true }),
      inspect(failure, { depth: 20, showHidden: true }),
      JSON.stringify(failure),
      JSON.stringify(sent),
      JSON.stringify(signer),
    ].join('\n')
    for (const form of leakForms(seed)) expect(shown).not.toContain(form)
  })
})

/** The ways key bytes could show up in text: hex, base64, base58 and a byte list. */
function leakForms(bytes: Uint8Array): string[] {
  return [
    Buffer.from(bytes).toString('hex'),
    Buffer.from(bytes).toString('base64'),
    getBase58Decoder().decode(bytes),
    [...bytes.slice(0, 8)].join(', '),
  ]
}
