import { TollgateError } from '../errors/tollgate-error.js'
import { parseLedgerRecord } from './parse-ledger-record.js'
import type { LedgerRecord } from './types.js'

/** What {@link encodeLedgerRecord} returns. */
export type EncodeLedgerRecordResult = {
  /** One line of JSON, without the trailing newline. */
  line: string
  /** The record exactly as the line stores it (bigints as strings), detached from the caller's object. */
  record: LedgerRecord
}

/**
 * Serialises a record as one JSON line, bigints as decimal strings, and validates what will
 * actually be stored, so the memory and file ledgers hold identical data.
 *
 * @example encodeLedgerRecord(record).line // '{"id":"…","type":"broadcast",…}'
 * @throws {TollgateError} `config_invalid` for an invalid or unserialisable record
 */
export function encodeLedgerRecord(record: LedgerRecord): EncodeLedgerRecordResult {
  let line: string
  try {
    line = JSON.stringify(record, (_key, value: unknown) =>
      typeof value === 'bigint' ? value.toString() : value,
    )
  } catch (error) {
    throw new TollgateError('config_invalid', 'Ledger record cannot be serialised as JSON.', { cause: error })
  }
  if (typeof line !== 'string') throw new TollgateError('config_invalid', 'Ledger record must be an object.')
  return { line, record: parseLedgerRecord(JSON.parse(line)) }
}
