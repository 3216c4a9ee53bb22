import { z } from 'zod'

/** Shapes of the JSON-RPC answers the EVM verifier reads; an answer that doesn't fit is an RPC failure. @internal */

const hex = z.string().regex(/^0x[0-9a-fA-F]*$/)
const quantity = z.string().regex(/^0x[0-9a-fA-F]{1,64}$/)
const address = z.string().regex(/^0x[0-9a-fA-F]{40}$/)
const hash = z.string().regex(/^0x[0-9a-fA-F]{64}$/)

/** @internal */
export const logSchema = z.object({
  address,
  topics: z.array(hash).max(4),
  data: hex,
  logIndex: quantity.nullish(),
  removed: z.boolean().optional(),
})

/** @internal */
export const receiptSchema = z.object({
  status: quantity,
  blockHash: hash,
  blockNumber: quantity,
  from: address,
  to: address.nullable(),
  logs: z.array(logSchema).max(10_000),
})

/** @internal */
export const transactionSchema = z.object({
  hash,
  from: address,
  to: address.nullable(),
  value: quantity,
  chainId: quantity.optional(),
  blockNumber: quantity.nullable(),
})

/** @internal */
export const blockSchema = z.object({
  hash,
  number: quantity,
  timestamp: quantity,
})

/** @internal */
export const quantitySchema = quantity
