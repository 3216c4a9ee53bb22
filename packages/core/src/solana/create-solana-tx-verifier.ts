import { type Address, isAddress } from '@solana/kit'
import { findAssociatedTokenPda } from '@solana-program/token'
import type { z } from 'zod'
import { NATIVE_ASSET } from '../chains/types.js'
import { TollgateError } from '../errors/tollgate-error.js'
import { createJsonRpc, type JsonRpc } from '../rpc/create-json-rpc.js'
import { parseRpcAnswer } from '../rpc/parse-rpc-answer.js'
import type {
  RecoverSignerInput,
  TxVerifier,
  VerifiedTransfer,
  VerifyTransferInput,
} from '../scheme/types.js'
import { decodeBase58Bytes } from './decode-base58-bytes.js'
import {
  genesisHashSchema,
  type instructionSchema,
  parsedSchema,
  systemTransferInfoSchema,
  tokenTransferCheckedInfoSchema,
  tokenTransferInfoSchema,
  transactionSchema,
} from './rpc-schemas.js'
import { SYSTEM_PROGRAM, TOKEN_PROGRAMS } from './solana-programs.js'
import { verifyEd25519Signature } from './verify-ed25519-signature.js'

/** How final a transaction must be: `confirmed` (voted on by a supermajority) or `finalized` (rooted, ~13 s later). */
export type SolanaCommitment = 'confirmed' | 'finalized'

/** Options of {@link createSolanaTxVerifier}: a ready JSON-RPC client, or an endpoint to build one for. */
export type CreateSolanaTxVerifierOptions = (
  | {
      /** JSON-RPC client of a node of this cluster (from `createJsonRpc`; shares its round-trip counter). */
      rpc: JsonRpc
      rpcUrl?: never
    }
  | {
      /** JSON-RPC endpoint of a node of this cluster. */
      rpcUrl: string
      rpc?: never
    }
) & {
  /**
   * CAIP-2 id of the cluster, `solana:<genesis hash prefix>`. When set, the node's genesis hash is
   * checked once (in the first verification's round trip) and a node of another cluster fails
   * closed with `rpc_unavailable`. Default: no check.
   */
  network?: string
  /** How final a payment must be; the node's answer at this commitment is the confirmation. Default `confirmed`. */
  commitment?: SolanaCommitment
  /** Milliseconds before an RPC round trip counts as failed (503), with `rpcUrl`. Default 5000. */
  timeoutMs?: number
  /** Largest accepted RPC answer in bytes, with `rpcUrl`. Default 1 MiB. */
  maxResponseBytes?: number
}

type Transaction = z.infer<typeof transactionSchema>
type Instruction = z.infer<typeof instructionSchema>
type TokenCredit = {
  destination: string
  /** Owner of the destination token account, from the token balances. */
  owner: string | undefined
  mint: string | undefined
  amount: bigint
  authority: string | undefined
  /** Index in the transaction's instructions, inner ones in execution order: the transfer's id. */
  position: number
}
type SolCredit = { source: string; destination: string; lamports: number; position: number }

const MAX_PAYER_CANDIDATES = 4

/**
 * Creates the `tx` verifier for one Solana cluster: a System transfer of SOL, or an SPL Token
 * (or Token-2022) `transfer`/`transferChecked` into the associated token account of `payTo`,
 * proven by its signature and the payer's Ed25519 signature over the proof message. One
 * `getTransaction` call (`jsonParsed`, `maxSupportedTransactionVersion: 0`) per verification,
 * validated and size-bounded; what `payTo` gained is taken from the balances the node recorded,
 * who paid from the instructions, and the proof must be signed by that authority.
 * `recoverSigner` checks offline the key a payload names in its `payer` hint (Ed25519 keys cannot
 * be recovered from a signature), so the gate can claim per signer before the RPC.
 *
 * @example
 * const verifier = createSolanaTxVerifier({ rpcUrl: 'https://api.mainnet-beta.solana.com', network: SOLANA_MAINNET })
 * @throws {TollgateError} from `verifyTransfer`: `verify_signature_invalid`, `verify_tx_not_found`,
 * `verify_tx_failed`, `verify_outside_window`, `verify_recipient_mismatch`, `verify_asset_mismatch`,
 * `verify_payer_mismatch`, `verify_amount_insufficient`, `rpc_unavailable`; from `recoverSigner`:
 * `verify_signature_invalid`; `config_invalid` from the factory
 */
export function createSolanaTxVerifier(
  options: CreateSolanaTxVerifierOptions,
): TxVerifier & { recoverSigner(input: RecoverSignerInput): Promise<string | undefined> } {
  const rpc =
    options.rpc ??
    createJsonRpc({
      url: options.rpcUrl,
      timeoutMs: options.timeoutMs ?? 5000,
      maxResponseBytes: options.maxResponseBytes ?? 1024 * 1024,
    })
  const commitment = options.commitment ?? 'confirmed'
  if (commitment !== 'confirmed' && commitment !== 'finalized') {
    throw new TollgateError(
      'config_invalid',
      `Commitment "${String(commitment)}" is not confirmed or finalized.`,
    )
  }
  const genesisPrefix = options.network === undefined ? undefined : solanaReference(options.network)
  // A transaction not visible yet at `confirmed` usually is within a second; `finalized` trails by ~13 s.
  const notFoundRetry = commitment === 'confirmed' ? 1 : 13
  let genesisChecked = genesisPrefix === undefined

  return {
    specificationVersion: 'v1',
    parseTransaction: (value) =>
      typeof value === 'string' && decodeBase58Bytes(value, 64) !== undefined ? value : undefined,
    recoverSigner: (input) => recoverSigner(input),
    async verifyTransfer(input: VerifyTransferInput): Promise<VerifiedTransfer> {
      // Offline first: a malformed proof costs no RPC.
      const signature = decodeProofSignature(input.signature)
      const native = checkAddresses(input)
      // payTo's associated token accounts under both token programs; PDA math runs during the RPC.
      const accounts = native ? Promise.resolve([]) : associatedAccounts(input.payTo, input.asset.address)
      // Awaited only on the token path; never let an early exit leave it unobserved.
      accounts.catch(() => {})

      const calls = [
        {
          method: 'getTransaction',
          params: [
            input.transaction,
            { encoding: 'jsonParsed', commitment, maxSupportedTransactionVersion: 0 },
          ],
        },
        ...(genesisChecked ? [] : [{ method: 'getGenesisHash', params: [] }]),
      ]
      const results = await rpc.batch(calls, input.signal)
      if (!genesisChecked) {
        const genesis = parseRpcAnswer(genesisHashSchema, results[1], 'getGenesisHash')
        if (genesisPrefix !== undefined && !genesis.startsWith(genesisPrefix)) {
          throw new TollgateError(
            'rpc_unavailable',
            `The RPC node serves the cluster with genesis hash ${genesis}, not ${options.network}.`,
            { retryAfter: 30 },
          )
        }
        genesisChecked = true
      }
      if (results[0] === null) {
        throw new TollgateError(
          'verify_tx_not_found',
          `Transaction ${input.transaction} is not ${commitment} on chain (yet).`,
          { retryAfter: notFoundRetry, details: { transaction: input.transaction, commitment } },
        )
      }
      const transaction = parseRpcAnswer(transactionSchema, results[0], 'getTransaction')
      const { meta, blockTime } = checkTransaction(transaction, input)

      const message = new TextEncoder().encode(input.message)
      const instructions = allInstructions(transaction)
      const tokenCredits = readTokenCredits(transaction, instructions)
      const solCredits = readSolCredits(instructions)
      const credits = { tokenCredits, solCredits, signature, message, blockTime }
      if (native) return settleNative(input, transaction, meta, credits)
      return settleToken(input, transaction, await accounts, credits)
    },
  }
}

/** Checks `payTo` and the asset are Solana addresses, offline; true when the asset is native SOL. */
function checkAddresses(input: VerifyTransferInput): boolean {
  if (!isAddress(input.payTo)) {
    throw new TollgateError('config_invalid', `payTo "${input.payTo.slice(0, 64)}" is not a Solana address.`)
  }
  const native = input.asset.address === NATIVE_ASSET
  if (!native && !isAddress(input.asset.address)) {
    throw new TollgateError(
      'config_invalid',
      `Asset "${input.asset.address.slice(0, 64)}" is not a Solana mint.`,
    )
  }
  return native
}

/** Checks the fetched transaction is the one asked about, succeeded, and landed inside the window. */
function checkTransaction(
  transaction: Transaction,
  input: VerifyTransferInput,
): { meta: NonNullable<Transaction['meta']>; blockTime: number } {
  if (transaction.transaction.signatures[0] !== input.transaction) {
    throw new TollgateError('rpc_unavailable', 'The RPC node answered about another transaction.', {
      retryAfter: 2,
    })
  }
  const meta = transaction.meta
  if (meta === null) {
    throw new TollgateError('rpc_unavailable', 'The RPC node has no status for the transaction.', {
      retryAfter: 2,
    })
  }
  if (meta.err !== null) {
    throw new TollgateError('verify_tx_failed', `Transaction ${input.transaction} failed.`, {
      details: { transaction: input.transaction, error: boundedJson(meta.err) },
    })
  }
  const blockTime = transaction.blockTime
  if (blockTime === null || blockTime === undefined) {
    throw new TollgateError(
      'rpc_unavailable',
      'The RPC node does not know the block time of the transaction.',
      {
        retryAfter: 2,
      },
    )
  }
  if (blockTime < input.notBefore || blockTime > input.notAfter) {
    throw new TollgateError(
      'verify_outside_window',
      `The transaction's block time ${blockTime} is outside the acceptance window.`,
      { details: { blockTime, notBefore: input.notBefore, notAfter: input.notAfter } },
    )
  }
  return { meta, blockTime }
}

/** What a transaction credits, plus the proof that picks its payer. */
type Credits = {
  tokenCredits: TokenCredit[]
  solCredits: SolCredit[]
  signature: Uint8Array<ArrayBuffer>
  message: Uint8Array<ArrayBuffer>
  blockTime: number
}

/** Settles a native SOL payment: the signing payer's lamports into `payTo`, capped by its balance gain. */
async function settleNative(
  input: VerifyTransferInput,
  transaction: Transaction,
  meta: NonNullable<Transaction['meta']>,
  credits: Credits,
): Promise<VerifiedTransfer> {
  const payTo = input.payTo
  const toPayTo = credits.solCredits.filter((credit) => credit.destination === payTo)
  if (toPayTo.length === 0) {
    if (credits.tokenCredits.some((credit) => credit.owner === payTo))
      throw assetMismatch(input.asset.address)
    throw recipientMismatch(payTo)
  }
  const payer = await findSigner(
    unique(toPayTo.map((credit) => credit.source)),
    credits.signature,
    credits.message,
  )
  const fromPayer = toPayTo.filter((credit) => credit.source === payer)
  const instructed = fromPayer.reduce((total, credit) => total + safeLamports(credit.lamports), 0n)
  const index = transaction.transaction.message.accountKeys.findIndex((key) => key.pubkey === payTo)
  const gained =
    index === -1 ? 0n : safeLamports(meta.postBalances[index]) - safeLamports(meta.preBalances[index])
  const paid = minimum(instructed, gained)
  if (paid < input.amount) throw insufficient(paid, input.amount)
  return { payer, amount: paid, blockTime: credits.blockTime, transferIds: positions(fromPayer) }
}

/** Settles a token payment: the signing authority's transfers into payTo's associated account. */
async function settleToken(
  input: VerifyTransferInput,
  transaction: Transaction,
  associated: readonly string[],
  credits: Credits,
): Promise<VerifiedTransfer> {
  const payTo = input.payTo
  const toPayTo = credits.tokenCredits.filter(
    (credit) => credit.owner === payTo || associated.includes(credit.destination),
  )
  if (toPayTo.length === 0) {
    if (credits.solCredits.some((credit) => credit.destination === payTo))
      throw assetMismatch(input.asset.address)
    throw recipientMismatch(payTo)
  }
  const ofAsset = toPayTo.filter((credit) => credit.mint === input.asset.address)
  if (ofAsset.length === 0) throw assetMismatch(input.asset.address)
  const intoAssociated = ofAsset.filter(
    (credit) => associated.includes(credit.destination) && credit.owner === payTo,
  )
  if (intoAssociated.length === 0) {
    throw new TollgateError(
      'verify_recipient_mismatch',
      "The transaction does not pay into the recipient's associated token account.",
      { details: { expected: payTo } },
    )
  }
  const authorities = unique(
    intoAssociated.flatMap((credit) => (credit.authority === undefined ? [] : [credit.authority])),
  )
  const payer = await findSigner(authorities, credits.signature, credits.message)
  const fromPayer = intoAssociated.filter((credit) => credit.authority === payer)
  const instructed = fromPayer.reduce((total, credit) => total + credit.amount, 0n)
  const gained = tokenGain(transaction, associated, payTo, input.asset.address)
  const paid = minimum(instructed, gained)
  if (paid < input.amount) throw insufficient(paid, input.amount)
  return { payer, amount: paid, blockTime: credits.blockTime, transferIds: positions(fromPayer) }
}

/** The genesis-hash prefix of a `solana:` CAIP-2 id. */
function solanaReference(network: string): string {
  const match = /^solana:([1-9A-HJ-NP-Za-km-z]{32})$/.exec(network)
  if (match === null)
    throw new TollgateError('config_invalid', `"${network.slice(0, 64)}" is not a Solana network.`)
  return match[1] as string
}

async function associatedAccounts(owner: string, mint: string): Promise<string[]> {
  return Promise.all(
    TOKEN_PROGRAMS.map(
      async (tokenProgram) =>
        (
          await findAssociatedTokenPda({
            owner: owner as Address,
            mint: mint as Address,
            tokenProgram: tokenProgram as Address,
          })
        )[0],
    ),
  )
}

/** Top-level and inner instructions, in execution order. */
function allInstructions(transaction: Transaction): Instruction[] {
  const inner = transaction.meta?.innerInstructions ?? []
  return transaction.transaction.message.instructions.flatMap((instruction, index) => [
    instruction,
    ...inner.filter((group) => group.index === index).flatMap((group) => group.instructions),
  ])
}

function readTokenCredits(transaction: Transaction, instructions: readonly Instruction[]): TokenCredit[] {
  const keys = transaction.transaction.message.accountKeys
  const balances = transaction.meta?.postTokenBalances ?? []
  const credits: TokenCredit[] = []
  for (const [position, instruction] of instructions.entries()) {
    if (!TOKEN_PROGRAMS.includes(instruction.programId) || instruction.parsed === undefined) continue
    const parsed = parsedSchema.safeParse(instruction.parsed)
    if (!parsed.success) continue
    const { type, info } = parsed.data
    if (type !== 'transfer' && type !== 'transferChecked') continue
    const transfer =
      type === 'transfer'
        ? parseRpcAnswer(tokenTransferInfoSchema, info, 'getTransaction')
        : parseRpcAnswer(tokenTransferCheckedInfoSchema, info, 'getTransaction')
    const index = keys.findIndex((key) => key.pubkey === transfer.destination)
    const balance = balances.find((entry) => entry.accountIndex === index)
    credits.push({
      destination: transfer.destination,
      owner: balance?.owner,
      mint: 'mint' in transfer ? transfer.mint : balance?.mint,
      amount: BigInt('tokenAmount' in transfer ? transfer.tokenAmount.amount : transfer.amount),
      authority: transfer.authority ?? signingMultisigAuthority(transfer.multisigAuthority, keys),
      position,
    })
  }
  return credits
}

/**
 * With extra accounts after the authority (Solana Pay references, for one), a validator reports the
 * authority as `multisigAuthority`. It is the payer when it signed the transaction itself; a real
 * multisig account never does, so a multisig payment can never be claimed this way.
 */
function signingMultisigAuthority(
  authority: string | undefined,
  keys: readonly { pubkey: string; signer: boolean }[],
): string | undefined {
  if (authority === undefined) return undefined
  return keys.some((key) => key.pubkey === authority && key.signer) ? authority : undefined
}

function readSolCredits(instructions: readonly Instruction[]): SolCredit[] {
  const credits: SolCredit[] = []
  for (const [position, instruction] of instructions.entries()) {
    if (instruction.programId !== SYSTEM_PROGRAM || instruction.parsed === undefined) continue
    const parsed = parsedSchema.safeParse(instruction.parsed)
    if (!parsed.success || parsed.data.type !== 'transfer') continue
    const transfer = parseRpcAnswer(systemTransferInfoSchema, parsed.data.info, 'getTransaction')
    credits.push({ ...transfer, position })
  }
  return credits
}

/** What payTo's associated token accounts of `mint` gained, from the balances the node recorded. */
function tokenGain(
  transaction: Transaction,
  associated: readonly string[],
  owner: string,
  mint: string,
): bigint {
  const keys = transaction.transaction.message.accountKeys
  const meta = transaction.meta
  let gained = 0n
  for (const account of associated) {
    const index = keys.findIndex((key) => key.pubkey === account)
    if (index === -1) continue
    // The owner check matters: an SPL Token account's owner can be reassigned away from payTo.
    const matches = (entry: { accountIndex: number; mint: string; owner?: string | undefined }) =>
      entry.accountIndex === index && entry.mint === mint && entry.owner === owner
    const post = meta?.postTokenBalances?.find(matches)
    const pre = meta?.preTokenBalances?.find(matches)
    if (post === undefined) continue
    gained += BigInt(post.uiTokenAmount.amount) - BigInt(pre?.uiTokenAmount.amount ?? '0')
  }
  return gained
}

function decodeProofSignature(value: string): Uint8Array<ArrayBuffer> {
  const signature = decodeBase58Bytes(value, 64)
  if (signature === undefined) {
    throw new TollgateError(
      'verify_signature_invalid',
      'The proof signature is not a base58 Ed25519 signature of 64 bytes.',
    )
  }
  return signature
}

/**
 * Ed25519 keys cannot be recovered from a signature: the payer names its key in the `payer` hint,
 * checked here offline. Without the hint the signer is unknown until the chain answers.
 */
async function recoverSigner(input: RecoverSignerInput): Promise<string | undefined> {
  const signature = decodeProofSignature(input.signature)
  const named = input.hints.payer
  if (typeof named !== 'string' || !isAddress(named)) return undefined
  const message = new TextEncoder().encode(input.message)
  if (await verifyEd25519Signature(named, signature, message)) return named
  throw new TollgateError('verify_signature_invalid', 'The proof is not signed by the payer it names.')
}

function positions(credits: readonly { position: number }[]): string[] {
  return unique(credits.map((credit) => String(credit.position)))
}

/** The first candidate whose key verifies the proof signature; the front-running guard. */
async function findSigner(
  candidates: readonly string[],
  signature: Uint8Array<ArrayBuffer>,
  message: Uint8Array<ArrayBuffer>,
): Promise<string> {
  for (const candidate of candidates.slice(0, MAX_PAYER_CANDIDATES)) {
    if (await verifyEd25519Signature(candidate, signature, message)) return candidate
  }
  throw new TollgateError('verify_payer_mismatch', 'The proof was not signed by the account that paid.')
}

function unique(values: readonly string[]): string[] {
  return [...new Set(values)]
}

function minimum(instructed: bigint, gained: bigint): bigint {
  const credited = gained > 0n ? gained : 0n
  return instructed < credited ? instructed : credited
}

function safeLamports(value: number | undefined): bigint {
  if (value === undefined || !Number.isSafeInteger(value)) {
    throw new TollgateError(
      'rpc_unavailable',
      'The RPC node reported a balance that cannot be read exactly.',
      {
        retryAfter: 2,
      },
    )
  }
  return BigInt(value)
}

function boundedJson(value: unknown): string {
  const text = JSON.stringify(value) ?? String(value)
  return text.length > 200 ? `${text.slice(0, 200)}…` : text
}

function recipientMismatch(payTo: string): TollgateError {
  return new TollgateError(
    'verify_recipient_mismatch',
    'The transaction does not pay the expected recipient.',
    {
      details: { expected: payTo },
    },
  )
}

function assetMismatch(asset: string): TollgateError {
  return new TollgateError('verify_asset_mismatch', 'The transaction pays the recipient in another asset.', {
    details: { expected: asset },
  })
}

function insufficient(paid: bigint, required: bigint): TollgateError {
  return new TollgateError(
    'verify_amount_insufficient',
    `The transfer paid ${paid} atomic units; ${required} are required.`,
    { details: { paid, required } },
  )
}
