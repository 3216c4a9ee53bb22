import { type Address, getAddressDecoder, type ReadonlyUint8Array } from '@solana/kit'

/** The fields of an SPL mint (Token or Token-2022) that the RPC reports. @internal */
export type DecodedMint = {
  mintAuthority: Address | null
  supply: bigint
  decimals: number
  isInitialized: boolean
  freezeAuthority: Address | null
}

const MINT_SIZE = 82
const TOKEN_ACCOUNT_SIZE = 165
const ACCOUNT_TYPE_MINT = 1

/**
 * Decodes the base layout of a mint, or returns undefined for anything else.
 * @internal
 */
export function decodeMint(data: ReadonlyUint8Array): DecodedMint | undefined {
  // A Token-2022 mint with extensions is padded to the account size, then tagged as a mint.
  const plain = data.length === MINT_SIZE
  const extended = data.length > TOKEN_ACCOUNT_SIZE && data[TOKEN_ACCOUNT_SIZE] === ACCOUNT_TYPE_MINT
  if (!plain && !extended) return undefined
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength)
  const addresses = getAddressDecoder()
  const optionalAddress = (offset: number): Address | null =>
    view.getUint32(offset, true) === 1 ? addresses.decode(data, offset + 4) : null
  const isInitialized = data[45] === 1
  if (!isInitialized) return undefined
  return {
    mintAuthority: optionalAddress(0),
    supply: view.getBigUint64(36, true),
    decimals: data[44] ?? 0,
    isInitialized,
    freezeAuthority: optionalAddress(46),
  }
}
