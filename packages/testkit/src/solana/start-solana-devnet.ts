import {
  type Address,
  appendTransactionMessageInstructions,
  type Blockhash,
  createKeyPairSignerFromPrivateKeyBytes,
  createTransactionMessage,
  getBase58Decoder,
  getTransactionEncoder,
  type Instruction,
  isAddress,
  type KeyPairSigner,
  lamports,
  pipe,
  type Signature,
  setTransactionMessageFeePayerSigner,
  setTransactionMessageLifetimeUsingBlockhash,
  signTransactionMessageWithSigners,
  type TransactionSigner,
} from '@solana/kit'
import { getCreateAccountInstruction, getTransferSolInstruction } from '@solana-program/system'
import {
  findAssociatedTokenPda,
  getCreateAssociatedTokenIdempotentInstruction,
  getInitializeMint2Instruction,
  getMintToInstruction,
} from '@solana-program/token'
import type { LiteSVM } from 'litesvm'
import { createSolanaRpcMethods } from './create-solana-rpc-methods.js'
import { createSvmLedger, type SvmLedger } from './create-svm-ledger.js'
import { decodeTokenAccount } from './decode-token-account.js'
import { encodeLedgerTransaction } from './encode-ledger-transaction.js'
import { JsonRpcError } from './json-rpc-error.js'
import { type JsonRpcStats, serveJsonRpc } from './serve-json-rpc.js'
import { SYSTEM_PROGRAM, TOKEN_2022_PROGRAM, TOKEN_PROGRAM } from './solana-programs.js'
import type { TransactionErrorJson } from './transaction-error-json.js'

/** Options of {@link startSolanaDevnet}. All optional. */
export interface StartSolanaDevnetOptions {
  /** Port on 127.0.0.1; default `0`, a free port chosen by the OS. */
  port?: number
  /** Funded accounts to create. Default `10`. */
  accounts?: number
  /** Lamports airdropped to every account. Default 1,000 SOL (`1_000_000_000_000n`). */
  lamports?: bigint
  /** Whole tokens minted to every account, of each token. Default `1_000_000n`. */
  tokenBalance?: bigint
  /**
   * The cluster's genesis hash (base58, 32 bytes); its first 32 characters make the CAIP-2 id.
   * Default: a fixed hash, so the network id is the same on every run.
   */
  genesisHash?: string
  /**
   * Slots after its own before a transaction counts as `finalized` (a real cluster: about 32).
   * Default `0`: finalized as soon as it lands. Until then `getTransaction` with `finalized`
   * answers `null`, as a validator does.
   */
  finalizeAfterSlots?: number
  /** Wall clock in milliseconds, which the cluster clock follows. Default `Date.now`. */
  now?: () => number
}

/** The tokens a Solana devnet creates: `usdc` (SPL Token) and `usdc2022` (Token-2022), both 6 decimals. */
export type SolanaDevnetTokenName = 'usdc' | 'usdc2022'

/** A USDC-like mint on a Solana devnet. */
export interface SolanaDevnetToken {
  /** The mint address. */
  readonly mint: Address
  /** Decimals of the atomic unit: `6`. */
  readonly decimals: number
  /** The token program that owns the mint (SPL Token or Token-2022). */
  readonly programAddress: Address
}

/** A funded account of a Solana devnet. */
export interface SolanaDevnetAccount {
  /** The account's address (its Ed25519 public key, base58). */
  readonly address: Address
  /** A signer for it: a non-extractable WebCrypto key derived from a public test seed. */
  readonly signer: KeyPairSigner
}

/** What {@link SolanaDevnet.toJSON} returns: addresses only, no key material. */
export interface SolanaDevnetJson {
  rpcUrl: string
  network: `solana:${string}`
  genesisHash: string
  tokens: Record<SolanaDevnetTokenName, { mint: Address; decimals: number; programAddress: Address }>
  accounts: { address: Address }[]
}

/** The outcome of {@link SolanaDevnet.send}. */
export interface SolanaDevnetSendResult {
  /** The transaction signature, base58. */
  signature: Signature
  /** Whether it landed in a block (a failed transaction lands too, with its fee paid). */
  landed: boolean
  /** The transaction error as the RPC reports it, or `null`. */
  err: TransactionErrorJson | null
}

/** A running in-process Solana cluster served over JSON-RPC. */
export interface SolanaDevnet {
  /** JSON-RPC endpoint, `http://127.0.0.1:<port>`. */
  readonly rpcUrl: string
  /** CAIP-2 network id, `solana:<first 32 characters of the genesis hash>`. */
  readonly network: `solana:${string}`
  /** The genesis hash `getGenesisHash` answers. */
  readonly genesisHash: string
  /** The two USDC-like mints. */
  readonly tokens: { readonly usdc: SolanaDevnetToken; readonly usdc2022: SolanaDevnetToken }
  /** Funded accounts: SOL and `tokenBalance` of each token in their associated token accounts. */
  readonly accounts: readonly SolanaDevnetAccount[]
  /** Mint authority of both tokens (also funded with SOL). */
  readonly mintAuthority: KeyPairSigner
  /** The LiteSVM instance, for what the helpers do not cover. */
  readonly svm: LiteSVM
  /** The current (open) slot: the next transaction lands in it. */
  slot(): bigint
  /** Unix seconds of the cluster clock (the next block's time is at least this). */
  time(): number
  /** Closes the open block and moves `count` slots ahead (default 1); older blockhashes expire by height. */
  advanceSlots(count?: number): void
  /** Moves the cluster clock `seconds` ahead of the wall clock, from now on. */
  advanceTime(seconds: number): void
  /** Sends lamports from the faucet; resolves with the landed transaction's signature. */
  airdrop(address: Address, amount: bigint): Promise<Signature>
  /** Mints atomic units of a token into `owner`'s associated token account, creating it if needed. */
  mint(token: SolanaDevnetTokenName | Address, owner: Address, amount: bigint): Promise<Signature>
  /** Lamports held by an account (0 if it does not exist). */
  balance(address: Address): bigint
  /** Atomic units in `owner`'s associated token account of a token (0 if it does not exist). */
  tokenBalance(token: SolanaDevnetTokenName | Address, owner: Address): Promise<bigint>
  /** The associated token account of `owner` for a token. */
  tokenAccount(token: SolanaDevnetTokenName | Address, owner: Address): Promise<Address>
  /**
   * Builds, signs (with the signers the instructions carry, and `feePayer`) and executes a
   * transaction directly, without HTTP. With preflight (the default) a failing transaction is
   * refused and throws, like `sendTransaction`; with `skipPreflight` it lands with its error.
   */
  send(
    instructions: readonly Instruction[],
    options: { feePayer: TransactionSigner; skipPreflight?: boolean },
  ): Promise<SolanaDevnetSendResult>
  /** A landed transaction as `getTransaction` answers it in `jsonParsed`, or `null`. */
  getTransaction(signature: string): Record<string, unknown> | null
  /** JSON-RPC calls answered so far, per method. */
  rpcStats(): JsonRpcStats
  /** Resets {@link SolanaDevnet.rpcStats}. */
  resetRpcStats(): void
  /** The serialisable description of this devnet (addresses only, never keys). */
  toJSON(): SolanaDevnetJson
  /** Stops the HTTP server (closing open connections). Idempotent. */
  stop(): Promise<void>
}

const SOL = 1_000_000_000n
const DECIMALS = 6
const MINT_SIZE = 82n
const FAUCET_LAMPORTS = 500_000_000n * SOL
const TRANSFERS_PER_TRANSACTION = 20

/**
 * Starts a Solana cluster in-process: LiteSVM executes real signed transactions with the real
 * SPL Token, Token-2022 and Associated Token Account programs, and a small `node:http` server on
 * 127.0.0.1 answers the JSON-RPC methods wallets and verifiers use (`getTransaction` in
 * `jsonParsed` with balances, token balances and inner instructions, `sendTransaction` with
 * preflight, `getSignatureStatuses`, `getLatestBlockhash`, accounts, token accounts, rent, slots).
 * It creates two USDC-like mints (6 decimals; `usdc` on SPL Token, `usdc2022` on Token-2022) and
 * funds every account with SOL and tokens, all through real transactions. The keys come from
 * public test seeds, so addresses are the same on every run: test use only.
 *
 * @example
 * const devnet = await startSolanaDevnet()
 * const payer = devnet.accounts[0]!
 * await devnet.tokenBalance('usdc', payer.address) // 1_000_000_000_000n
 * await devnet.stop()
 * @throws {Error} when the server cannot listen or a setup transaction fails.
 */
export async function startSolanaDevnet(options: StartSolanaDevnetOptions = {}): Promise<SolanaDevnet> {
  const accountCount = options.accounts ?? 10
  if (!Number.isSafeInteger(accountCount) || accountCount < 0) {
    throw new RangeError(`accounts must be a non-negative integer, not ${accountCount}`)
  }
  const genesisHash = options.genesisHash ?? (await defaultGenesisHash())
  if (!isAddress(genesisHash)) throw new RangeError('genesisHash must be 32 bytes in base58')
  const network = `solana:${genesisHash.slice(0, 32)}` as const
  const ledger = createSvmLedger({
    finalizeAfterSlots: options.finalizeAfterSlots ?? 0,
    now: options.now ?? Date.now,
  })
  const { svm } = ledger

  const [faucet, mintAuthority, usdcMint, usdc2022Mint, ...accountSigners] = await Promise.all(
    ['faucet', 'mint-authority', 'mint/usdc', 'mint/usdc2022']
      .concat(Array.from({ length: accountCount }, (_, index) => `account/${index}`))
      .map(testSigner),
  )
  if (!faucet || !mintAuthority || !usdcMint || !usdc2022Mint) throw new Error('devnet keys missing')
  // A genesis allocation: the faucet exists before the first block.
  svm.setAccount({
    address: faucet.address,
    lamports: lamports(FAUCET_LAMPORTS),
    data: new Uint8Array(),
    programAddress: SYSTEM_PROGRAM,
    executable: false,
    space: 0n,
  })

  const send: SolanaDevnet['send'] = (instructions, sendOptions) =>
    sendThrough(ledger, instructions, sendOptions)
  const sendOrThrow = async (instructions: readonly Instruction[], feePayer: TransactionSigner) => {
    const result = await send(instructions, { feePayer })
    if (!result.landed || result.err !== null) {
      throw new Error(`devnet setup transaction failed: ${JSON.stringify(result.err)}`)
    }
    return result.signature
  }

  const tokens = {
    usdc: { mint: usdcMint.address, decimals: DECIMALS, programAddress: TOKEN_PROGRAM },
    usdc2022: { mint: usdc2022Mint.address, decimals: DECIMALS, programAddress: TOKEN_2022_PROGRAM },
  } as const
  const tokenOf = (token: SolanaDevnetTokenName | Address): SolanaDevnetToken => {
    if (token === 'usdc' || token === 'usdc2022') return tokens[token as SolanaDevnetTokenName]
    const known = Object.values(tokens).find((entry) => entry.mint === token)
    if (known) return known
    const account = svm.getAccount(token)
    if (!account.exists) throw new Error(`unknown devnet token ${JSON.stringify(token)}`)
    return { mint: token, decimals: account.data[44] ?? 0, programAddress: account.programAddress }
  }
  const tokenAccount = async (token: SolanaDevnetTokenName | Address, owner: Address): Promise<Address> => {
    const { mint, programAddress } = tokenOf(token)
    const [ata] = await findAssociatedTokenPda({ owner, mint, tokenProgram: programAddress })
    return ata
  }
  const mintInstructions = async (token: SolanaDevnetToken, owner: Address, amount: bigint) => {
    const ata = await tokenAccount(token.mint, owner)
    return [
      getCreateAssociatedTokenIdempotentInstruction({
        payer: mintAuthority,
        ata,
        owner,
        mint: token.mint,
        tokenProgram: token.programAddress,
      }),
      getMintToInstruction(
        { mint: token.mint, token: ata, mintAuthority, amount },
        { programAddress: token.programAddress },
      ),
    ]
  }
  const airdrop = (address: Address, amount: bigint) =>
    sendOrThrow([getTransferSolInstruction({ source: faucet, destination: address, amount })], faucet)

  // Setup, all through real transactions: SOL for everyone, the mints, then tokens.
  const lamportsEach = options.lamports ?? 1_000n * SOL
  const recipients = [mintAuthority.address, ...accountSigners.map((signer) => signer.address)]
  for (let start = 0; start < recipients.length; start += TRANSFERS_PER_TRANSACTION) {
    const chunk = recipients.slice(start, start + TRANSFERS_PER_TRANSACTION)
    await sendOrThrow(
      chunk.map((destination) =>
        getTransferSolInstruction({ source: faucet, destination, amount: lamportsEach }),
      ),
      faucet,
    )
  }
  const mintRent = svm.minimumBalanceForRentExemption(MINT_SIZE)
  await sendOrThrow(
    [
      [usdcMint, TOKEN_PROGRAM],
      [usdc2022Mint, TOKEN_2022_PROGRAM],
    ].flatMap(([mint, programAddress]) => [
      getCreateAccountInstruction({
        payer: mintAuthority,
        newAccount: mint as KeyPairSigner,
        lamports: mintRent,
        space: MINT_SIZE,
        programAddress: programAddress as Address,
      }),
      getInitializeMint2Instruction(
        { mint: (mint as KeyPairSigner).address, decimals: DECIMALS, mintAuthority: mintAuthority.address },
        { programAddress: programAddress as Address },
      ),
    ]),
    mintAuthority,
  )
  const tokenBalance = (options.tokenBalance ?? 1_000_000n) * 10n ** BigInt(DECIMALS)
  if (tokenBalance > 0n) {
    for (const signer of accountSigners) {
      await sendOrThrow(
        [
          ...(await mintInstructions(tokens.usdc, signer.address, tokenBalance)),
          ...(await mintInstructions(tokens.usdc2022, signer.address, tokenBalance)),
        ],
        mintAuthority,
      )
    }
  }

  const server = await serveJsonRpc({
    methods: createSolanaRpcMethods({ ledger, genesisHash, airdrop }),
    port: options.port ?? 0,
  })
  const accounts = accountSigners.map((signer) => ({ address: signer.address, signer }))

  return {
    rpcUrl: server.url,
    network,
    genesisHash,
    tokens,
    accounts,
    mintAuthority,
    svm,
    slot: ledger.slot,
    time: () => Number(ledger.time()),
    advanceSlots: (count = 1) => ledger.advanceSlots(count),
    advanceTime: (seconds) => ledger.advanceTime(seconds),
    airdrop,
    mint: async (token, owner, amount) =>
      sendOrThrow(await mintInstructions(tokenOf(token), owner, amount), mintAuthority),
    balance: (address) => {
      const balance = svm.getBalance(address)
      return balance === null ? 0n : BigInt(balance)
    },
    tokenBalance: async (token, owner) => {
      const account = svm.getAccount(await tokenAccount(token, owner))
      return account.exists ? (decodeTokenAccount(account.data)?.amount ?? 0n) : 0n
    },
    tokenAccount,
    send,
    getTransaction: (signature) => {
      const record = ledger.transaction(signature)
      return record === undefined ? null : encodeLedgerTransaction(record, 'jsonParsed')
    },
    rpcStats: server.stats,
    resetRpcStats: server.resetStats,
    toJSON: () => ({
      rpcUrl: server.url,
      network,
      genesisHash,
      tokens: { usdc: { ...tokens.usdc }, usdc2022: { ...tokens.usdc2022 } },
      accounts: accounts.map(({ address }) => ({ address })),
    }),
    stop: server.close,
  }
}

/** A signer from a public test seed: the same address on every run, a non-extractable key. */
async function testSigner(label: string): Promise<KeyPairSigner> {
  const seed = new Uint8Array(
    await crypto.subtle.digest('SHA-256', new TextEncoder().encode(`tollgate-solana-devnet/${label}`)),
  )
  return createKeyPairSignerFromPrivateKeyBytes(seed, false)
}

async function defaultGenesisHash(): Promise<string> {
  const digest = await crypto.subtle.digest(
    'SHA-256',
    new TextEncoder().encode('tollgate-solana-devnet/genesis'),
  )
  return getBase58Decoder().decode(new Uint8Array(digest))
}

/** Signs `instructions` with the fee payer, submits them to the ledger and reports the outcome. */
async function sendThrough(
  ledger: SvmLedger,
  instructions: Parameters<SolanaDevnet['send']>[0],
  sendOptions: Parameters<SolanaDevnet['send']>[1],
): ReturnType<SolanaDevnet['send']> {
  const { blockhash, lastValidBlockHeight } = ledger.latestBlockhash()
  const message = pipe(
    createTransactionMessage({ version: 0 }),
    (draft) => setTransactionMessageFeePayerSigner(sendOptions.feePayer, draft),
    (draft) =>
      setTransactionMessageLifetimeUsingBlockhash(
        { blockhash: blockhash as Blockhash, lastValidBlockHeight },
        draft,
      ),
    (draft) => appendTransactionMessageInstructions(instructions, draft),
  )
  const transaction = await signTransactionMessageWithSigners(message)
  const wire = new Uint8Array(getTransactionEncoder().encode(transaction))
  let signature: Signature
  try {
    signature = ledger.submit(wire, { skipPreflight: sendOptions.skipPreflight === true })
  } catch (error) {
    if (error instanceof JsonRpcError) {
      throw new Error(`devnet transaction refused: ${error.message}`, { cause: error })
    }
    throw error
  }
  const record = ledger.transaction(signature)
  return { signature, landed: record !== undefined, err: record?.err ?? null }
}
