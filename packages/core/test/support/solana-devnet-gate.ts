import {
  type Address,
  createSignableMessage,
  getBase58Decoder,
  type Instruction,
  type KeyPairSigner,
  type MessagePartialSigner,
} from '@solana/kit'
import { getTransferSolInstruction } from '@solana-program/system'
import {
  findAssociatedTokenPda,
  getCreateAssociatedTokenIdempotentInstruction,
  getTransferCheckedInstruction,
} from '@solana-program/token'
import { type SolanaDevnet, type SolanaDevnetSendResult, startSolanaDevnet } from '@tollgate/testkit/solana'
import { createChainRegistry } from '../../src/chains/create-chain-registry.js'
import { encodePaymentSignatureHeader } from '../../src/protocol/payment-signature-header.js'
import type { PaymentRequirements } from '../../src/protocol/types.js'
import { createProofMessage } from '../../src/tx/create-proof-message.js'

export { startSolanaDevnet }

/** A registry that knows the devnet's cluster and its two USDC-like mints. */
export function solanaRegistry(devnet: SolanaDevnet) {
  return createChainRegistry({
    chains: [
      {
        network: devnet.network,
        name: 'Solana local devnet',
        family: 'solana',
        nativeCurrency: { symbol: 'SOL', name: 'Solana', decimals: 9 },
        confirmations: 1,
        blockTimeSeconds: 1,
        testnet: true,
      },
    ],
    assets: [
      {
        network: devnet.network,
        address: devnet.tokens.usdc.mint,
        symbol: 'USDC',
        name: 'USD Coin',
        decimals: 6,
        usdPegged: true,
      },
      {
        network: devnet.network,
        address: devnet.tokens.usdc2022.mint,
        symbol: 'USDC22',
        name: 'USD Coin (Token-2022)',
        decimals: 6,
        usdPegged: true,
      },
    ],
  })
}

type Payer = number | KeyPairSigner

function signerOf(devnet: SolanaDevnet, payer: Payer): KeyPairSigner {
  if (typeof payer !== 'number') return payer
  const account = devnet.accounts[payer]
  if (account === undefined) throw new Error(`no devnet account ${payer}`)
  return account.signer
}

/**
 * Sends an SPL `transferChecked` from the payer's associated token account to `to`'s (creating it
 * idempotently), the way an agent pays a `tx` requirement, or a deliberately wrong one.
 */
export async function transferToken(
  devnet: SolanaDevnet,
  options: {
    from: Payer
    to: Address
    amount: bigint
    token?: 'usdc' | 'usdc2022'
    /** Extra instructions to run in the same transaction, after the transfer. */
    extra?: Instruction[]
    skipPreflight?: boolean
  },
): Promise<SolanaDevnetSendResult> {
  const signer = signerOf(devnet, options.from)
  const token = devnet.tokens[options.token ?? 'usdc']
  const [source] = await findAssociatedTokenPda({
    owner: signer.address,
    mint: token.mint,
    tokenProgram: token.programAddress,
  })
  const [destination] = await findAssociatedTokenPda({
    owner: options.to,
    mint: token.mint,
    tokenProgram: token.programAddress,
  })
  return devnet.send(
    [
      getCreateAssociatedTokenIdempotentInstruction({
        payer: signer,
        ata: destination,
        owner: options.to,
        mint: token.mint,
        tokenProgram: token.programAddress,
      }),
      getTransferCheckedInstruction(
        {
          source,
          mint: token.mint,
          destination,
          authority: signer,
          amount: options.amount,
          decimals: token.decimals,
        },
        { programAddress: token.programAddress },
      ),
      ...(options.extra ?? []),
    ],
    {
      feePayer: signer,
      ...(options.skipPreflight === undefined ? {} : { skipPreflight: options.skipPreflight }),
    },
  )
}

/** Sends a System transfer of lamports. */
export function transferSol(
  devnet: SolanaDevnet,
  options: { from: Payer; to: Address; amount: bigint },
): Promise<SolanaDevnetSendResult> {
  const signer = signerOf(devnet, options.from)
  return devnet.send(
    [getTransferSolInstruction({ source: signer, destination: options.to, amount: options.amount })],
    {
      feePayer: signer,
    },
  )
}

/** Signs a proof message with an Ed25519 signer and returns it base58-encoded. */
export async function signProof(signer: MessagePartialSigner, message: string): Promise<string> {
  const [signatures] = await signer.signMessages([createSignableMessage(message)])
  const signature = signatures?.[signer.address]
  if (signature === undefined) throw new Error('the signer did not sign')
  return getBase58Decoder().decode(signature)
}

/** Signs a proof for `transaction` with `signer` and encodes the PAYMENT-SIGNATURE header. */
export async function solanaProofHeader(
  devnet: SolanaDevnet,
  options: { signer: Payer; requirements: PaymentRequirements; transaction: string; challenge?: string },
): Promise<string> {
  const challenge = options.challenge ?? (options.requirements.extra.challenge as string)
  const message = createProofMessage({
    network: options.requirements.network,
    transaction: options.transaction,
    challenge,
  })
  return encodePaymentSignatureHeader({
    x402Version: 2,
    accepted: options.requirements,
    payload: {
      transaction: options.transaction,
      challenge,
      signature: await signProof(signerOf(devnet, options.signer), message),
    },
  })
}
