import { getBase58Decoder, getBase64Decoder } from '@solana/kit'
import type { CompiledInstruction, LedgerTransaction } from './create-svm-ledger.js'
import { parseInstruction } from './parse-instruction.js'

/** The transaction encodings `getTransaction` supports. @internal */
export type TransactionEncoding = 'json' | 'jsonParsed' | 'base64' | 'base58'

/**
 * Renders a landed transaction as a validator's `getTransaction` answers it, in one of its
 * encodings: `jsonParsed` resolves every account and parses known programs, `json` keeps indexes.
 * @internal
 */
export function encodeLedgerTransaction(
  record: LedgerTransaction,
  encoding: TransactionEncoding,
): Record<string, unknown> {
  const keys = record.accountKeys
  const base58 = getBase58Decoder()
  const parsed = (instruction: CompiledInstruction) => {
    const programId = keys[instruction.programIdIndex]?.pubkey
    if (programId === undefined) throw new Error('instruction program index out of range')
    return parseInstruction({
      programId,
      accounts: instruction.accounts.map((index) => {
        const key = keys[index]?.pubkey
        if (key === undefined) throw new Error('instruction account index out of range')
        return key
      }),
      data: instruction.data,
      stackHeight: instruction.stackHeight,
    })
  }
  const raw = (instruction: CompiledInstruction) => ({
    accounts: instruction.accounts,
    data: base58.decode(instruction.data),
    programIdIndex: instruction.programIdIndex,
    stackHeight: instruction.stackHeight,
  })
  const render: (instruction: CompiledInstruction) => unknown = encoding === 'jsonParsed' ? parsed : raw
  const lookups =
    record.addressTableLookups === undefined ? {} : { addressTableLookups: record.addressTableLookups }

  let transaction: unknown
  if (encoding === 'base64') transaction = [getBase64Decoder().decode(record.wire), 'base64']
  else if (encoding === 'base58') transaction = [base58.decode(record.wire), 'base58']
  else if (encoding === 'jsonParsed') {
    transaction = {
      message: {
        accountKeys: keys.map(({ pubkey, signer, source, writable }) => ({
          pubkey,
          signer,
          source,
          writable,
        })),
        ...lookups,
        instructions: record.instructions.map(parsed),
        recentBlockhash: record.recentBlockhash,
      },
      signatures: record.signatures,
    }
  } else {
    transaction = {
      message: {
        accountKeys: keys.slice(0, record.staticAccountCount).map(({ pubkey }) => pubkey),
        ...lookups,
        header: record.header,
        instructions: record.instructions.map(raw),
        recentBlockhash: record.recentBlockhash,
      },
      signatures: record.signatures,
    }
  }

  return {
    blockTime: record.blockTime,
    meta: {
      computeUnitsConsumed: record.computeUnitsConsumed,
      err: record.err,
      fee: record.fee,
      innerInstructions: record.innerInstructions.map(({ index, instructions }) => ({
        index,
        instructions: instructions.map(render),
      })),
      // jsonParsed lists loaded addresses among the account keys instead.
      ...(encoding === 'jsonParsed' ? {} : { loadedAddresses: record.loadedAddresses }),
      logMessages: record.logMessages,
      postBalances: record.postBalances,
      postTokenBalances: record.postTokenBalances,
      preBalances: record.preBalances,
      preTokenBalances: record.preTokenBalances,
      rewards: [],
      status: record.err === null ? { Ok: null } : { Err: record.err },
    },
    slot: record.slot,
    transaction,
    version: record.version,
  }
}
