import {
  type Address,
  getAddressDecoder,
  getBase58Decoder,
  getCompiledTransactionMessageDecoder,
  getTransactionDecoder,
  isFullySignedTransaction,
  type Signature,
  type Transaction,
} from '@solana/kit'
import { LiteSVM, type TransactionMetadata } from 'litesvm'
import { decodeMint } from './decode-mint.js'
import { decodeTokenAccount } from './decode-token-account.js'
import { formatUiAmount, type UiTokenAmount } from './format-ui-amount.js'
import { JsonRpcError } from './json-rpc-error.js'
import { COMPUTE_BUDGET_PROGRAM, isTokenProgram } from './solana-programs.js'
import {
  describeTransactionError,
  type TransactionErrorJson,
  transactionErrorJson,
} from './transaction-error-json.js'

/** A transaction's largest wire size, as a validator enforces it. */
export const MAX_TRANSACTION_BYTES = 1232
// A blockhash stays usable for 150 blocks after the one it was issued at.
const BLOCKHASH_VALIDITY = 150n
const LOOKUP_TABLE_META_SIZE = 56
const LAMPORTS_PER_SIGNATURE = 5000n

/** An account of a transaction, as `jsonParsed` lists it. @internal */
export type AccountKey = {
  pubkey: Address
  signer: boolean
  writable: boolean
  source: 'transaction' | 'lookupTable'
}

/** An instruction by account indexes, as a message stores it. @internal */
export type CompiledInstruction = {
  programIdIndex: number
  accounts: number[]
  data: Uint8Array
  /** `null` at the top level, 2 and up for inner instructions. */
  stackHeight: number | null
}

/** A token balance entry of `meta.preTokenBalances` / `meta.postTokenBalances`. @internal */
export type TokenBalance = {
  accountIndex: number
  mint: Address
  owner: Address
  programId: Address
  uiTokenAmount: UiTokenAmount
}

/** A transaction that landed in a block, with what a validator stores about it. @internal */
export type LedgerTransaction = {
  signature: Signature
  signatures: string[]
  slot: bigint
  blockTime: bigint
  wire: Uint8Array
  version: 'legacy' | 0
  header: {
    numRequiredSignatures: number
    numReadonlySignedAccounts: number
    numReadonlyUnsignedAccounts: number
  }
  /** Static keys, then keys loaded from lookup tables (writable, then readonly). */
  accountKeys: AccountKey[]
  staticAccountCount: number
  recentBlockhash: string
  instructions: CompiledInstruction[]
  innerInstructions: { index: number; instructions: CompiledInstruction[] }[]
  addressTableLookups:
    | { accountKey: Address; writableIndexes: number[]; readonlyIndexes: number[] }[]
    | undefined
  loadedAddresses: { writable: Address[]; readonly: Address[] }
  err: TransactionErrorJson | null
  fee: bigint
  preBalances: bigint[]
  postBalances: bigint[]
  preTokenBalances: TokenBalance[]
  postTokenBalances: TokenBalance[]
  logMessages: string[]
  computeUnitsConsumed: bigint
}

/** The outcome of a simulation, as `simulateTransaction` reports it. @internal */
export type SimulationResult = {
  err: TransactionErrorJson | null
  logs: string[]
  unitsConsumed: bigint
  innerInstructions: { index: number; instructions: CompiledInstruction[] }[]
  accountKeys: AccountKey[]
}

/** A wire transaction, decoded and checked for shape. @internal */
export type DecodedTransaction = {
  transaction: Transaction
  signature: Signature
  signatures: string[]
  message: Extract<
    ReturnType<ReturnType<typeof getCompiledTransactionMessageDecoder>['decode']>,
    { version: 'legacy' | 0 }
  >
  version: 'legacy' | 0
  recentBlockhash: string
  wire: Uint8Array
}

/** Options of {@link createSvmLedger}. @internal */
export type CreateSvmLedgerOptions = {
  /** Slots after which a landed transaction counts as finalized. */
  finalizeAfterSlots: number
  /** Wall clock in milliseconds. */
  now: () => number
}

/** A LiteSVM instance with what a cluster adds around it: blocks, a clock, recent blockhashes, transaction history. @internal */
export type SvmLedger = {
  readonly svm: LiteSVM
  /** The current (open) slot; the next transaction lands in it. */
  slot(): bigint
  /** Block height; equal to the slot here (no slot is ever skipped). */
  blockHeight(): bigint
  /** Unix seconds of the cluster clock. */
  time(): bigint
  latestBlockhash(): { blockhash: string; lastValidBlockHeight: bigint }
  isBlockhashValid(blockhash: string): boolean
  decode(wire: Uint8Array): DecodedTransaction
  /** Sends a transaction, with or without preflight; returns its signature or throws the RPC's error. */
  submit(wire: Uint8Array, options: { skipPreflight: boolean }): Signature
  simulate(
    wire: Uint8Array,
    options: { sigVerify: boolean; replaceRecentBlockhash: boolean },
  ): SimulationResult
  transaction(signature: string): LedgerTransaction | undefined
  isFinalized(transaction: LedgerTransaction): boolean
  advanceSlots(count: number): void
  advanceTime(seconds: number): void
}

/**
 * Wraps LiteSVM into a single-node cluster: each landed transaction is its own block (its slot
 * then closes, a new blockhash is issued, and the clock follows the wall clock), any of the last
 * 150 blockhashes is accepted, and every landed transaction, failed or not, is kept with the
 * balances and token balances a validator records for `getTransaction`.
 * @internal
 */
export function createSvmLedger(options: CreateSvmLedgerOptions): SvmLedger {
  // LiteSVM accepts only its latest blockhash; the ledger checks recency itself, like a bank.
  const svm = new LiteSVM().withBlockhashCheck(false)
  const history = new Map<string, LedgerTransaction>()
  const recentBlockhashes = new Map<string, bigint>()
  let slot = svm.getClock().slot
  let timeOffsetSeconds = 0n
  let lastTime = 0n

  const stampClock = (): bigint => {
    const wall = BigInt(Math.floor(options.now() / 1000)) + timeOffsetSeconds
    lastTime = wall > lastTime ? wall : lastTime
    const clock = svm.getClock()
    clock.slot = slot
    clock.unixTimestamp = lastTime
    svm.setClock(clock)
    return lastTime
  }
  const issueBlockhash = (): void => {
    recentBlockhashes.set(svm.latestBlockhash(), slot)
    for (const [hash, height] of recentBlockhashes) {
      if (height + BLOCKHASH_VALIDITY * 2n < slot) recentBlockhashes.delete(hash)
    }
  }
  const closeBlock = (slots: bigint): void => {
    slot += slots
    svm.expireBlockhash()
    issueBlockhash()
    stampClock()
  }
  stampClock()
  issueBlockhash()

  const isBlockhashValid = (blockhash: string): boolean => {
    const height = recentBlockhashes.get(blockhash)
    return height !== undefined && slot <= height + BLOCKHASH_VALIDITY
  }

  /** Executes a transaction in the open slot; records it and closes the block when it landed. */
  const execute = (decoded: DecodedTransaction): void => {
    let keys: AccountKey[]
    let loaded: LedgerTransaction['loadedAddresses']
    try {
      ;({ keys, loaded } = accountKeysOf(svm, decoded))
    } catch {
      return // A bank refuses a transaction whose lookup tables do not load: it never lands.
    }
    const blockTime = stampClock()
    const preBalances = keys.map(({ pubkey }) => lamportsOf(svm, pubkey))
    const preTokenBalances = tokenBalancesOf(svm, keys)
    let result: ReturnType<LiteSVM['sendTransaction']>
    try {
      result = svm.sendTransaction(decoded.transaction)
    } catch {
      return // Unsigned: dropped at signature verification, as a leader would.
    }
    // What LiteSVM keeps in its history paid its fee and landed, failed or not.
    if (svm.getTransaction(decoded.signature) === null) return
    const meta = isFailure(result) ? result.meta() : result
    const fields = messageFields(decoded)
    history.set(decoded.signature, {
      signature: decoded.signature,
      signatures: decoded.signatures,
      slot,
      blockTime,
      wire: decoded.wire,
      version: decoded.version,
      header: fields.header,
      accountKeys: keys,
      staticAccountCount: fields.staticAccountCount,
      recentBlockhash: decoded.recentBlockhash,
      instructions: fields.instructions,
      innerInstructions: innerInstructionsOf(meta),
      addressTableLookups: fields.addressTableLookups,
      loadedAddresses: loaded,
      err: isFailure(result) ? transactionErrorJson(result.err()) : null,
      fee: feeOf(decoded, keys),
      preBalances,
      postBalances: keys.map(({ pubkey }) => lamportsOf(svm, pubkey)),
      preTokenBalances,
      postTokenBalances: tokenBalancesOf(svm, keys),
      logMessages: meta.logs(),
      computeUnitsConsumed: meta.computeUnitsConsumed(),
    })
    closeBlock(1n)
  }

  const simulateDecoded = (
    decoded: DecodedTransaction,
    sigVerify: boolean,
    replaceRecentBlockhash: boolean,
  ): SimulationResult => {
    let keys: AccountKey[] = []
    try {
      keys = accountKeysOf(svm, decoded).keys
    } catch {
      return {
        err: 'AddressLookupTableNotFound',
        logs: [],
        unitsConsumed: 0n,
        innerInstructions: [],
        accountKeys: [],
      }
    }
    const refused = (err: TransactionErrorJson): SimulationResult => ({
      err,
      logs: [],
      unitsConsumed: 0n,
      innerInstructions: [],
      accountKeys: keys,
    })
    if (!replaceRecentBlockhash && !isBlockhashValid(decoded.recentBlockhash))
      return refused('BlockhashNotFound')
    if (sigVerify && !isFullySignedTransaction(decoded.transaction)) return refused('SignatureFailure')
    if (history.has(decoded.signature)) return refused('AlreadyProcessed')
    stampClock()
    if (!sigVerify) svm.withSigverify(false)
    let result: ReturnType<LiteSVM['simulateTransaction']>
    try {
      result = svm.simulateTransaction(decoded.transaction)
    } finally {
      if (!sigVerify) svm.withSigverify(true)
    }
    const meta = isFailure(result) ? result.meta() : result.meta()
    return {
      err: isFailure(result) ? transactionErrorJson(result.err()) : null,
      logs: meta.logs(),
      unitsConsumed: meta.computeUnitsConsumed(),
      innerInstructions: innerInstructionsOf(meta),
      accountKeys: keys,
    }
  }

  return {
    svm,
    slot: () => slot,
    blockHeight: () => slot,
    time: () => lastTime,
    latestBlockhash: () => ({
      blockhash: svm.latestBlockhash(),
      lastValidBlockHeight: slot + BLOCKHASH_VALIDITY,
    }),
    isBlockhashValid,
    decode,
    submit(wire, { skipPreflight }) {
      const decoded = decode(wire)
      // Without preflight a validator forwards anything well-formed and lets the leader drop it.
      if (skipPreflight) {
        if (!history.has(decoded.signature) && isBlockhashValid(decoded.recentBlockhash)) execute(decoded)
        return decoded.signature
      }
      const simulation = simulateDecoded(decoded, true, false)
      if (simulation.err === 'SignatureFailure') {
        throw new JsonRpcError(-32003, 'Transaction signature verification failure')
      }
      if (simulation.err !== null) {
        throw new JsonRpcError(
          -32002,
          `Transaction simulation failed: ${describeTransactionError(simulation.err)}`,
          {
            accounts: null,
            err: simulation.err,
            innerInstructions: null,
            logs: simulation.logs,
            returnData: null,
            unitsConsumed: simulation.unitsConsumed,
          },
        )
      }
      execute(decoded)
      return decoded.signature
    },
    simulate(wire, { sigVerify, replaceRecentBlockhash }) {
      return simulateDecoded(decode(wire), sigVerify, replaceRecentBlockhash)
    },
    transaction: (signature) => history.get(signature),
    isFinalized: (transaction) => slot - 1n - transaction.slot >= BigInt(options.finalizeAfterSlots),
    advanceSlots(count) {
      if (!Number.isSafeInteger(count) || count < 1) throw new RangeError(`cannot advance ${count} slots`)
      closeBlock(BigInt(count))
    },
    advanceTime(seconds) {
      if (!Number.isSafeInteger(seconds) || seconds < 0)
        throw new RangeError(`cannot advance time by ${seconds}s`)
      timeOffsetSeconds += BigInt(seconds)
      stampClock()
    },
  }
}

/** Decodes a wire transaction as a validator does, with its size and version checks. */
function decode(wire: Uint8Array): DecodedTransaction {
  if (wire.length > MAX_TRANSACTION_BYTES) {
    throw new JsonRpcError(
      -32602,
      `transaction too large: ${wire.length} bytes (max: ${MAX_TRANSACTION_BYTES} bytes)`,
    )
  }
  let transaction: Transaction
  let compiled: ReturnType<ReturnType<typeof getCompiledTransactionMessageDecoder>['decode']>
  try {
    transaction = getTransactionDecoder().decode(wire)
    compiled = getCompiledTransactionMessageDecoder().decode(transaction.messageBytes)
  } catch (error) {
    throw new JsonRpcError(
      -32602,
      `failed to deserialize solana_transaction::versioned::VersionedTransaction: ${(error as Error).message}`,
    )
  }
  if (compiled.version !== 'legacy' && compiled.version !== 0) {
    throw new JsonRpcError(-32602, `Transaction version (${String(compiled.version)}) is not supported`)
  }
  const message = compiled
  const signers = message.staticAccounts.slice(0, message.header.numSignerAccounts)
  const base58 = getBase58Decoder()
  const signatures = signers.map((signer) =>
    base58.decode(transaction.signatures[signer] ?? new Uint8Array(64)),
  )
  return {
    transaction,
    signature: (signatures[0] ?? '1'.repeat(64)) as Signature,
    signatures,
    message,
    version: message.version,
    recentBlockhash: message.lifetimeToken,
    wire,
  }
}

/** The static and lookup-table account keys of a transaction; throws when a table does not load. */
function accountKeysOf(
  svm: LiteSVM,
  decoded: DecodedTransaction,
): { keys: AccountKey[]; loaded: LedgerTransaction['loadedAddresses'] } {
  const { header, staticAccounts } = decoded.message
  const keys: AccountKey[] = staticAccounts.map((pubkey, index) => {
    const signer = index < header.numSignerAccounts
    const writable = signer
      ? index < header.numSignerAccounts - header.numReadonlySignerAccounts
      : index < staticAccounts.length - header.numReadonlyNonSignerAccounts
    return { pubkey, signer, writable, source: 'transaction' }
  })
  const loaded = { writable: [] as Address[], readonly: [] as Address[] }
  const lookups = 'addressTableLookups' in decoded.message ? (decoded.message.addressTableLookups ?? []) : []
  for (const lookup of lookups) {
    const table = svm.getAccount(lookup.lookupTableAddress)
    if (!table.exists) throw new Error('address lookup table not found')
    const at = (index: number): Address => {
      const offset = LOOKUP_TABLE_META_SIZE + index * 32
      if (offset + 32 > table.data.length) throw new Error('address lookup table index out of range')
      return getAddressDecoder().decode(table.data, offset)
    }
    loaded.writable.push(...lookup.writableIndexes.map(at))
    loaded.readonly.push(...lookup.readonlyIndexes.map(at))
  }
  for (const pubkey of loaded.writable)
    keys.push({ pubkey, signer: false, writable: true, source: 'lookupTable' })
  for (const pubkey of loaded.readonly)
    keys.push({ pubkey, signer: false, writable: false, source: 'lookupTable' })
  return { keys, loaded }
}

function lamportsOf(svm: LiteSVM, key: Address): bigint {
  const balance = svm.getBalance(key)
  return balance === null ? 0n : BigInt(balance)
}

/** The token balances of `keys`, as `getTransaction` reports them. */
function tokenBalancesOf(svm: LiteSVM, keys: AccountKey[]): TokenBalance[] {
  return keys.flatMap(({ pubkey }, accountIndex) => {
    const account = svm.getAccount(pubkey)
    if (!account.exists || !isTokenProgram(account.programAddress)) return []
    const token = decodeTokenAccount(account.data)
    if (token === undefined) return []
    const mintAccount = svm.getAccount(token.mint)
    const mint = mintAccount.exists ? decodeMint(mintAccount.data) : undefined
    if (mint === undefined) return []
    return [
      {
        accountIndex,
        mint: token.mint,
        owner: token.owner,
        programId: account.programAddress,
        uiTokenAmount: formatUiAmount(token.amount, mint.decimals),
      },
    ]
  })
}

/** The inner instructions LiteSVM recorded, grouped by top-level instruction. */
function innerInstructionsOf(meta: TransactionMetadata): LedgerTransaction['innerInstructions'] {
  return meta.innerInstructions().flatMap((list, index) =>
    list.length === 0
      ? []
      : [
          {
            index,
            instructions: list.map((inner) => {
              const compiled = inner.instruction()
              return {
                programIdIndex: compiled.programIdIndex(),
                accounts: [...compiled.accounts()],
                data: new Uint8Array(compiled.data()),
                stackHeight: inner.stackHeight(),
              }
            }),
          },
        ],
  )
}

/** The fee a bank charges: per signature, plus the compute-budget priority fee. */
function feeOf(decoded: DecodedTransaction, keys: AccountKey[]): bigint {
  let limit: bigint | undefined
  let price = 0n
  let others = 0n
  for (const instruction of decoded.message.instructions) {
    const data = instruction.data ?? new Uint8Array()
    if (keys[instruction.programAddressIndex]?.pubkey !== COMPUTE_BUDGET_PROGRAM) {
      others++
      continue
    }
    const view = new DataView(data.buffer, data.byteOffset, data.byteLength)
    if (data[0] === 2 && data.length >= 5) limit = BigInt(view.getUint32(1, true))
    if (data[0] === 3 && data.length >= 9) price = view.getBigUint64(1, true)
  }
  const units = limit ?? (others * 200_000n > 1_400_000n ? 1_400_000n : others * 200_000n)
  const priority = (price * units + 999_999n) / 1_000_000n
  return LAMPORTS_PER_SIGNATURE * BigInt(decoded.message.header.numSignerAccounts) + priority
}

function isFailure(result: unknown): result is { err(): unknown; meta(): TransactionMetadata } {
  return typeof (result as { err?: unknown }).err === 'function'
}

/** The parts of a ledger record read straight from the transaction message. */
function messageFields(
  decoded: DecodedTransaction,
): Pick<LedgerTransaction, 'header' | 'staticAccountCount' | 'instructions' | 'addressTableLookups'> {
  const { message } = decoded
  const lookups = 'addressTableLookups' in message ? message.addressTableLookups : undefined
  return {
    header: {
      numRequiredSignatures: message.header.numSignerAccounts,
      numReadonlySignedAccounts: message.header.numReadonlySignerAccounts,
      numReadonlyUnsignedAccounts: message.header.numReadonlyNonSignerAccounts,
    },
    staticAccountCount: message.staticAccounts.length,
    instructions: message.instructions.map((instruction) => ({
      programIdIndex: instruction.programAddressIndex,
      accounts: [...(instruction.accountIndices ?? [])],
      data: new Uint8Array(instruction.data ?? []),
      stackHeight: null,
    })),
    addressTableLookups:
      decoded.version === 0
        ? (lookups ?? []).map((lookup) => ({
            accountKey: lookup.lookupTableAddress,
            writableIndexes: [...lookup.writableIndexes],
            readonlyIndexes: [...lookup.readonlyIndexes],
          }))
        : undefined,
  }
}
