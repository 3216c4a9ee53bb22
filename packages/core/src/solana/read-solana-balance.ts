import type { Address } from '@solana/kit'
import { isAddress } from '@solana/kit'
import { NATIVE_ASSET } from '../chains/types.js'
import { TollgateError } from '../errors/tollgate-error.js'
import { associatedTokenAccounts } from './associated-token-accounts.js'
import { jsonRpcCode } from './json-rpc-code.js'
import type { SolanaWalletRuntime } from './solana-wallet-runtime.js'

/**
 * Atomic units of `asset` (`"native"` or a mint) the wallet holds in its associated token account.
 * @example const held = await readSolanaBalance(runtime, SOLANA_DEVNET, mint)
 * @throws {TollgateError} `no_payable_option`, `asset_unknown`, `wallet_unavailable`
 * @internal
 */
export async function readSolanaBalance(
  runtime: SolanaWalletRuntime,
  network: string,
  asset: string,
): Promise<bigint> {
  const { signer, networks, rpc, commitment, call, deadline } = runtime
  if (!networks.has(network)) {
    throw new TollgateError(
      'no_payable_option',
      `This wallet does not pay on ${String(network).slice(0, 64)}.`,
    )
  }
  if (asset === NATIVE_ASSET) {
    return BigInt((await call(rpc.getBalance(signer.address, { commitment }))).value)
  }
  if (!isAddress(asset))
    throw new TollgateError('asset_unknown', `"${String(asset).slice(0, 64)}" is not a Solana mint.`)
  const associated = await associatedTokenAccounts(signer.address, asset)
  let accounts: readonly { pubkey: Address; account: { data: unknown } }[]
  try {
    const answer = await rpc
      .getTokenAccountsByOwner(signer.address, { mint: asset }, { encoding: 'jsonParsed', commitment })
      .send({ abortSignal: deadline() })
    accounts = answer.value
  } catch (error) {
    // The node answers "could not find mint" for a mint that does not exist: nothing is held.
    if (jsonRpcCode(error) === -32602) return 0n
    throw new TollgateError('wallet_unavailable', "The wallet's RPC node did not answer.", {
      retryAfter: 2,
      cause: error,
    })
  }
  const entry = accounts.find((account) => associated.includes(account.pubkey))
  const amount = (
    entry?.account.data as { parsed?: { info?: { tokenAmount?: { amount?: unknown } } } } | undefined
  )?.parsed?.info?.tokenAmount?.amount
  return typeof amount === 'string' && /^\d{1,20}$/.test(amount) ? BigInt(amount) : 0n
}
