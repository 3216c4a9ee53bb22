import type { Address } from '@solana/kit'
import { findAssociatedTokenPda } from '@solana-program/token'
import { TOKEN_PROGRAMS } from './solana-programs.js'

/**
 * The associated token accounts of `owner` for `mint` under SPL Token and Token-2022, in that order.
 * @example const [token, token2022] = await associatedTokenAccounts(owner, mint)
 * @internal
 */
export async function associatedTokenAccounts(owner: Address, mint: Address): Promise<[Address, Address]> {
  const [token, token2022] = await Promise.all(
    TOKEN_PROGRAMS.map(
      async (tokenProgram) =>
        (await findAssociatedTokenPda({ owner, mint, tokenProgram: tokenProgram as Address }))[0],
    ),
  )
  return [token as Address, token2022 as Address]
}
