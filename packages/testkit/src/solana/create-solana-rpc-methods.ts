import { type Address, getBase58Encoder, getBase64Encoder, isAddress } from '@solana/kit'
import type { CompiledInstruction, SvmLedger } from './create-svm-ledger.js'
import { decodeMint } from './decode-mint.js'
import { decodeTokenAccount } from './decode-token-account.js'
import { type AccountEncoding, encodeAccount } from './encode-account.js'
import { encodeLedgerTransaction, type TransactionEncoding } from './encode-ledger-transaction.js'
import { formatUiAmount } from './format-ui-amount.js'
import { JsonRpcError } from './json-rpc-error.js'
import { parseInstruction } from './parse-instruction.js'
import { isTokenProgram } from './solana-programs.js'

/** A JSON-RPC method: positional params in, result out (or a thrown {@link JsonRpcError}). @internal */
export type RpcMethod = (params: readonly unknown[]) => unknown

/** Options of {@link createSolanaRpcMethods}. @internal */
export type CreateSolanaRpcMethodsOptions = {
  ledger: SvmLedger
  /** The cluster's genesis hash, base58. */
  genesisHash: string
  /** Sends lamports from the faucet and returns the signature (for `requestAirdrop`). */
  airdrop(recipient: Address, lamports: bigint): Promise<string>
}

const API_VERSION = '2.2.0'
const MAX_SIGNATURES = 256
const MAX_ACCOUNTS = 100
const commitments = new Set(['processed', 'confirmed', 'finalized'])

/**
 * The Solana JSON-RPC methods the devnet serves, with a validator's parameter checks, error codes
 * and answer shapes.
 * @internal
 */
export function createSolanaRpcMethods(options: CreateSolanaRpcMethodsOptions): Record<string, RpcMethod> {
  const { ledger } = options
  const { svm } = ledger
  const context = () => ({ apiVersion: API_VERSION, slot: ledger.slot() - 1n })
  const withContext = (value: unknown) => ({ context: context(), value })

  const accountAt = (
    value: unknown,
    encoding: AccountEncoding,
    dataSlice?: { offset: number; length: number },
  ) => encodeAccount(svm, svm.getAccount(addressParam(value)), encoding, dataSlice)

  return {
    getHealth: () => 'ok',
    getVersion: () => ({ 'solana-core': API_VERSION, 'feature-set': 0 }),
    getGenesisHash: () => options.genesisHash,
    getSlot: (params) => {
      commitmentOf(configParam(params, 0))
      return ledger.slot() - 1n
    },
    getBlockHeight: (params) => {
      commitmentOf(configParam(params, 0))
      return ledger.blockHeight() - 1n
    },
    getLatestBlockhash: (params) => {
      commitmentOf(configParam(params, 0))
      return withContext(ledger.latestBlockhash())
    },
    isBlockhashValid: (params) => withContext(ledger.isBlockhashValid(stringParam(params, 0, 'blockhash'))),
    getMinimumBalanceForRentExemption: (params) => {
      const size = params[0]
      if (typeof size !== 'number' || !Number.isSafeInteger(size) || size < 0 || size > 10 * 1024 * 1024) {
        throw invalidParams('data length must be a non-negative integer')
      }
      return svm.minimumBalanceForRentExemption(BigInt(size))
    },
    getBalance: (params) => {
      commitmentOf(configParam(params, 1))
      const balance = svm.getBalance(addressParam(params[0]))
      return withContext(balance === null ? 0n : BigInt(balance))
    },
    getAccountInfo: (params) => {
      const config = configParam(params, 1)
      return withContext(accountAt(params[0], accountEncodingOf(config, 'base58'), dataSliceOf(config)))
    },
    getMultipleAccounts: (params) => {
      const config = configParam(params, 1)
      const list = params[0]
      if (!Array.isArray(list) || list.length > MAX_ACCOUNTS) {
        throw invalidParams(`expected an array of at most ${MAX_ACCOUNTS} addresses`)
      }
      const encoding = accountEncodingOf(config, 'base64')
      return withContext(list.map((entry) => accountAt(entry, encoding, dataSliceOf(config))))
    },
    getTokenAccountsByOwner: (params) => {
      const owner = addressParam(params[0])
      const config = configParam(params, 2)
      const encoding = accountEncodingOf(config, 'base58')
      const { program, mint } = tokenFilterOf(svm, params[1])
      const accounts = svm.getProgramAccounts(program).filter((account) => {
        const token = decodeTokenAccount(account.data)
        return token !== undefined && token.owner === owner && (mint === undefined || token.mint === mint)
      })
      return withContext(
        accounts.map((account) => ({
          account: encodeAccount(svm, { ...account, exists: true }, encoding),
          pubkey: account.address,
        })),
      )
    },
    getTokenAccountBalance: (params) => {
      commitmentOf(configParam(params, 1))
      const account = svm.getAccount(addressParam(params[0]))
      const token =
        account.exists && isTokenProgram(account.programAddress)
          ? decodeTokenAccount(account.data)
          : undefined
      const mintAccount = token === undefined ? undefined : svm.getAccount(token.mint)
      const mint = mintAccount?.exists ? decodeMint(mintAccount.data) : undefined
      if (token === undefined || mint === undefined) throw invalidParams('Invalid param: not a Token account')
      return withContext(formatUiAmount(token.amount, mint.decimals))
    },
    getSignatureStatuses: (params) => {
      const list = params[0]
      if (!Array.isArray(list) || list.length > MAX_SIGNATURES) {
        throw invalidParams(`Invalid params: expected an array of at most ${MAX_SIGNATURES} signatures`)
      }
      configParam(params, 1)
      return withContext(
        list.map((entry) => {
          const signature = signatureParam(entry)
          const record = ledger.transaction(signature)
          if (record === undefined) return null
          const finalized = ledger.isFinalized(record)
          return {
            confirmationStatus: finalized ? 'finalized' : 'confirmed',
            confirmations: finalized ? null : Number(ledger.slot() - 1n - record.slot),
            err: record.err,
            slot: record.slot,
            status: record.err === null ? { Ok: null } : { Err: record.err },
          }
        }),
      )
    },
    getTransaction: (params) => {
      const signature = signatureParam(params[0])
      const config = typeof params[1] === 'string' ? { encoding: params[1] } : configParam(params, 1)
      const commitment = commitmentOf(config) ?? 'finalized'
      if (commitment === 'processed')
        throw invalidParams('Method does not support commitment below `confirmed`')
      const encoding = (config.encoding ?? 'json') as TransactionEncoding
      if (!['json', 'jsonParsed', 'base64', 'base58'].includes(encoding)) {
        throw invalidParams(`Invalid params: unsupported encoding ${JSON.stringify(encoding)}`)
      }
      const record = ledger.transaction(signature)
      if (record === undefined) return null
      if (commitment === 'finalized' && !ledger.isFinalized(record)) return null
      const maxVersion = config.maxSupportedTransactionVersion
      if (record.version === 0 && maxVersion === undefined) {
        throw new JsonRpcError(
          -32015,
          'Transaction version (0) is not supported by the requesting client. Please try the request again with the following configuration parameter: "maxSupportedTransactionVersion": 0',
        )
      }
      return encodeLedgerTransaction(record, encoding)
    },
    sendTransaction: (params) => {
      const config = configParam(params, 1)
      const wire = wireParam(params[0], config.encoding ?? 'base58')
      return ledger.submit(wire, { skipPreflight: config.skipPreflight === true })
    },
    simulateTransaction: (params) => {
      const config = configParam(params, 1)
      const sigVerify = config.sigVerify === true
      const replaceRecentBlockhash = config.replaceRecentBlockhash === true
      if (sigVerify && replaceRecentBlockhash) {
        throw invalidParams('sigVerify may not be used with replaceRecentBlockhash')
      }
      const wire = wireParam(params[0], config.encoding ?? 'base58')
      const result = ledger.simulate(wire, { sigVerify, replaceRecentBlockhash })
      const keys = result.accountKeys
      const parsed = (instruction: CompiledInstruction) =>
        parseInstruction({
          programId: keys[instruction.programIdIndex]?.pubkey as Address,
          accounts: instruction.accounts.map((index) => keys[index]?.pubkey as Address),
          data: instruction.data,
          stackHeight: instruction.stackHeight,
        })
      return withContext({
        accounts: null,
        err: result.err,
        innerInstructions:
          config.innerInstructions === true
            ? result.innerInstructions.map(({ index, instructions }) => ({
                index,
                instructions: instructions.map(parsed),
              }))
            : null,
        logs: result.logs,
        ...(replaceRecentBlockhash ? { replacementBlockhash: ledger.latestBlockhash() } : {}),
        returnData: null,
        unitsConsumed: result.unitsConsumed,
      })
    },
    requestAirdrop: async (params) => {
      const recipient = addressParam(params[0])
      const lamports = params[1]
      if (typeof lamports !== 'number' || !Number.isSafeInteger(lamports) || lamports <= 0) {
        throw invalidParams('Invalid params: lamports must be a positive integer')
      }
      return options.airdrop(recipient, BigInt(lamports))
    },
  }
}

function invalidParams(message: string): JsonRpcError {
  return new JsonRpcError(-32602, message)
}

type Config = {
  commitment?: unknown
  encoding?: unknown
  skipPreflight?: unknown
  sigVerify?: unknown
  replaceRecentBlockhash?: unknown
  innerInstructions?: unknown
  maxSupportedTransactionVersion?: unknown
  dataSlice?: unknown
}

function configParam(params: readonly unknown[], index: number): Config {
  const value = params[index]
  if (value === undefined || value === null) return {}
  if (typeof value !== 'object' || Array.isArray(value))
    throw invalidParams('Invalid params: expected a config object')
  return value as Config
}

function commitmentOf(config: Config): string | undefined {
  if (config.commitment === undefined) return undefined
  if (typeof config.commitment !== 'string' || !commitments.has(config.commitment)) {
    throw invalidParams(`Invalid params: unknown commitment ${JSON.stringify(config.commitment)}`)
  }
  return config.commitment
}

function accountEncodingOf(config: Config, fallback: AccountEncoding): AccountEncoding {
  const encoding = config.encoding ?? fallback
  if (encoding !== 'base58' && encoding !== 'base64' && encoding !== 'jsonParsed') {
    throw invalidParams(`Invalid params: unsupported encoding ${JSON.stringify(encoding)}`)
  }
  return encoding
}

function dataSliceOf(config: Config): { offset: number; length: number } | undefined {
  const slice = config.dataSlice as { offset?: unknown; length?: unknown } | undefined
  if (slice === undefined) return undefined
  if (!Number.isSafeInteger(slice.offset) || !Number.isSafeInteger(slice.length)) {
    throw invalidParams('Invalid params: dataSlice needs an offset and a length')
  }
  return { offset: slice.offset as number, length: slice.length as number }
}

function stringParam(params: readonly unknown[], index: number, name: string): string {
  const value = params[index]
  if (typeof value !== 'string') throw invalidParams(`Invalid params: ${name} must be a string`)
  return value
}

function addressParam(value: unknown): Address {
  if (typeof value !== 'string' || !isAddress(value)) throw invalidParams('Invalid param: Invalid')
  return value
}

function signatureParam(value: unknown): string {
  if (typeof value !== 'string' || !/^[1-9A-HJ-NP-Za-km-z]{64,88}$/.test(value)) {
    throw invalidParams('Invalid param: Invalid')
  }
  return value
}

function wireParam(value: unknown, encoding: unknown): Uint8Array {
  if (typeof value !== 'string') throw invalidParams('Invalid params: expected an encoded transaction')
  try {
    if (encoding === 'base64') return new Uint8Array(getBase64Encoder().encode(value))
    if (encoding === 'base58') return new Uint8Array(getBase58Encoder().encode(value))
  } catch {
    throw invalidParams(`Invalid params: invalid ${String(encoding)} encoding`)
  }
  throw invalidParams(`Invalid params: unsupported encoding ${JSON.stringify(encoding)}`)
}

/** The token program and optional mint a `getTokenAccountsByOwner` filter selects. */
function tokenFilterOf(svm: SvmLedger['svm'], filter: unknown): { program: Address; mint?: Address } {
  if (typeof filter === 'object' && filter !== null && 'mint' in filter) {
    const mint = addressParam((filter as { mint: unknown }).mint)
    const mintAccount = svm.getAccount(mint)
    if (!mintAccount.exists || !isTokenProgram(mintAccount.programAddress)) {
      throw invalidParams('Invalid param: could not find mint')
    }
    return { program: mintAccount.programAddress, mint }
  }
  if (typeof filter === 'object' && filter !== null && 'programId' in filter) {
    const program = addressParam((filter as { programId: unknown }).programId)
    if (!isTokenProgram(program)) throw invalidParams('Invalid param: unrecognized Token program id')
    return { program }
  }
  throw invalidParams('Invalid params: expected a mint or programId filter')
}
