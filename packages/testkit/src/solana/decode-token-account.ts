import { type Address, getAddressDecoder, type ReadonlyUint8Array } from '@solana/kit'

/** The fields of an SPL token account (Token or Token-2022) that the RPC reports. @internal */
export type DecodedTokenAccount = {
  mint: Address
  owner: Address
  amount: bigint
  delegate: Address | null
  state: 'uninitialized' | 'initialized' | 'frozen'
  isNative: boolean
  delegatedAmount: bigint
  closeAuthority: Address | null
}

const TOKEN_ACCOUNT_SIZE = 165
// Token-2022 puts an account-type byte right after the base layout: 1 = mint, 2 = account.
const ACCOUNT_TYPE_ACCOUNT = 2

/**
 * Decodes the base layout of a token account, or returns undefined for anything else (a mint, a
 * multisig, an uninitialized or foreign account).
 * @internal
 */
export function decodeTokenAccount(data: ReadonlyUint8Array): DecodedTokenAccount | undefined {
  if (data.length < TOKEN_ACCOUNT_SIZE) return undefined
  if (data.length > TOKEN_ACCOUNT_SIZE && data[TOKEN_ACCOUNT_SIZE] !== ACCOUNT_TYPE_ACCOUNT) return undefined
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength)
  const state = data[108]
  if (state !== 1 && state !== 2) return undefined
  const addresses = getAddressDecoder()
  const optionalAddress = (offset: number): Address | null =>
    view.getUint32(offset, true) === 1 ? addresses.decode(data, offset + 4) : null
  return {
    mint: addresses.decode(data, 0),
    owner: addresses.decode(data, 32),
    amount: view.getBigUint64(64, true),
    delegate: optionalAddress(72),
    state: state === 1 ? 'initialized' : 'frozen',
    isNative: view.getUint32(109, true) === 1,
    delegatedAmount: view.getBigUint64(121, true),
    closeAuthority: optionalAddress(129),
  }
}
