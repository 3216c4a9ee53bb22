import type { MessagePartialSigner, TransactionPartialSigner } from '@solana/kit'

/**
 * What a Solana wallet signs with: an `@solana/kit` signer that signs transactions and messages.
 * `generateSolanaSigner()` and `createSolanaSignerFromSeed()` make one from a non-extractable
 * WebCrypto Ed25519 key; a remote or hardware signer fits the same interface.
 */
export type SolanaSigner = TransactionPartialSigner & MessagePartialSigner
