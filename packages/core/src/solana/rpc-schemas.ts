import { z } from 'zod'

/**
 * Shapes of the JSON-RPC answers the Solana verifier reads (`getTransaction` in `jsonParsed`);
 * an answer that doesn't fit is an RPC failure, never a guess. Every array is bounded.
 * @internal
 */

const address = z.string().regex(/^[1-9A-HJ-NP-Za-km-z]{32,44}$/)
const signature = z.string().regex(/^[1-9A-HJ-NP-Za-km-z]{64,88}$/)
const atomic = z.string().regex(/^\d{1,20}$/)
// u64 lamports arrive as JSON numbers; only safe integers are used for money (checked where used).
const lamports = z.number().nonnegative()

/** @internal */
export const instructionSchema = z.object({
  programId: address,
  program: z.string().max(64).optional(),
  parsed: z.unknown().optional(),
  stackHeight: z.number().int().nullable().optional(),
})

/** @internal */
export const tokenBalanceSchema = z.object({
  accountIndex: z.number().int().min(0).max(255),
  mint: address,
  owner: address.optional(),
  programId: address.optional(),
  uiTokenAmount: z.object({ amount: atomic, decimals: z.number().int().min(0).max(255) }),
})

/** @internal */
export const transactionSchema = z.object({
  slot: z.number().int().nonnegative(),
  blockTime: z.number().int().nullable().optional(),
  meta: z
    .object({
      err: z.unknown().refine((value) => value !== undefined, 'err is missing'),
      preBalances: z.array(lamports).max(256),
      postBalances: z.array(lamports).max(256),
      preTokenBalances: z.array(tokenBalanceSchema).max(256).nullable().optional(),
      postTokenBalances: z.array(tokenBalanceSchema).max(256).nullable().optional(),
      innerInstructions: z
        .array(
          z.object({ index: z.number().int().min(0), instructions: z.array(instructionSchema).max(2048) }),
        )
        .max(256)
        .nullable()
        .optional(),
    })
    .nullable(),
  transaction: z.object({
    signatures: z.array(signature).min(1).max(64),
    message: z.object({
      accountKeys: z
        .array(z.object({ pubkey: address, signer: z.boolean(), writable: z.boolean() }))
        .min(1)
        .max(256),
      instructions: z.array(instructionSchema).max(256),
    }),
  }),
  version: z.union([z.literal('legacy'), z.literal(0)]).optional(),
})

/** A `jsonParsed` instruction's `parsed` field. @internal */
export const parsedSchema = z.object({ type: z.string().max(64), info: z.unknown() })

/** `info` of an SPL Token `transfer`. @internal */
export const tokenTransferInfoSchema = z.object({
  source: address,
  destination: address,
  authority: address.optional(),
  multisigAuthority: address.optional(),
  amount: atomic,
})

/** `info` of an SPL Token `transferChecked`. @internal */
export const tokenTransferCheckedInfoSchema = z.object({
  source: address,
  destination: address,
  mint: address,
  authority: address.optional(),
  multisigAuthority: address.optional(),
  tokenAmount: z.object({ amount: atomic, decimals: z.number().int().min(0).max(255) }),
})

/** `info` of a System `transfer`. @internal */
export const systemTransferInfoSchema = z.object({
  source: address,
  destination: address,
  lamports,
})

/** `getGenesisHash`. @internal */
export const genesisHashSchema = z.string().regex(/^[1-9A-HJ-NP-Za-km-z]{32,44}$/)
