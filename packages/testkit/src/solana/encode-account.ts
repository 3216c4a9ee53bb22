import { type Address, getBase58Decoder, getBase64Decoder, type ReadonlyUint8Array } from '@solana/kit'
import type { LiteSVM } from 'litesvm'
import { decodeMint } from './decode-mint.js'
import { decodeTokenAccount } from './decode-token-account.js'
import { formatUiAmount } from './format-ui-amount.js'
import { JsonRpcError } from './json-rpc-error.js'
import { isTokenProgram, TOKEN_2022_PROGRAM } from './solana-programs.js'

/** Account encodings the devnet serves. @internal */
export type AccountEncoding = 'base58' | 'base64' | 'jsonParsed'

/** An account as LiteSVM returns it, existing or not. @internal */
export type AccountLike =
  | { exists: false }
  | { exists: true; executable: boolean; lamports: bigint; programAddress: Address; data: ReadonlyUint8Array }

// Accounts are rent-exempt, so their rent epoch is u64::MAX, as on a real cluster.
const RENT_EPOCH = 18_446_744_073_709_551_615n

/**
 * Renders an account as `getAccountInfo` does: `null` when it does not exist, its data as
 * `[base64, "base64"]`, or parsed for SPL token accounts and mints under `jsonParsed` (falling
 * back to base64 for anything else, like a validator).
 * @internal
 */
export function encodeAccount(
  svm: LiteSVM,
  account: AccountLike,
  encoding: AccountEncoding,
  dataSlice?: { offset: number; length: number },
): Record<string, unknown> | null {
  if (!account.exists) return null
  const base = {
    executable: account.executable,
    lamports: BigInt(account.lamports),
    owner: account.programAddress,
    rentEpoch: RENT_EPOCH,
    space: BigInt(account.data.length),
  }
  const data =
    dataSlice === undefined
      ? account.data
      : account.data.slice(dataSlice.offset, dataSlice.offset + dataSlice.length)
  if (encoding === 'jsonParsed' && dataSlice === undefined) {
    const parsed = parseTokenData(svm, account.programAddress, account.data)
    if (parsed !== undefined) return { data: parsed, ...base }
  }
  if (encoding === 'base58') {
    if (data.length > 128) {
      throw new JsonRpcError(
        -32600,
        'Encoded binary (base 58) data should be less than 128 bytes, please use Base64 encoding.',
      )
    }
    return { data: [getBase58Decoder().decode(data), 'base58'], ...base }
  }
  return { data: [getBase64Decoder().decode(data), 'base64'], ...base }
}

function parseTokenData(
  svm: LiteSVM,
  owner: Address,
  data: ReadonlyUint8Array,
): Record<string, unknown> | undefined {
  if (!isTokenProgram(owner)) return undefined
  const program = owner === TOKEN_2022_PROGRAM ? 'spl-token-2022' : 'spl-token'
  const space = BigInt(data.length)
  const token = decodeTokenAccount(data)
  if (token !== undefined) {
    const mintAccount = svm.getAccount(token.mint)
    const mint = mintAccount.exists ? decodeMint(mintAccount.data) : undefined
    if (mint === undefined) return undefined
    const info: Record<string, unknown> = {
      isNative: token.isNative,
      mint: token.mint,
      owner: token.owner,
      state: token.state,
      tokenAmount: formatUiAmount(token.amount, mint.decimals),
    }
    if (token.delegate !== null) {
      info.delegate = token.delegate
      info.delegatedAmount = formatUiAmount(token.delegatedAmount, mint.decimals)
    }
    if (token.closeAuthority !== null) info.closeAuthority = token.closeAuthority
    return { parsed: { info, type: 'account' }, program, space }
  }
  const mint = decodeMint(data)
  if (mint !== undefined) {
    return {
      parsed: {
        info: {
          decimals: mint.decimals,
          freezeAuthority: mint.freezeAuthority,
          isInitialized: mint.isInitialized,
          mintAuthority: mint.mintAuthority,
          supply: mint.supply.toString(),
        },
        type: 'mint',
      },
      program,
      space,
    }
  }
  return undefined
}
