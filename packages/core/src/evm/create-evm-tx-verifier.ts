import { getAddress, type Hex, hashMessage, recoverMessageAddress } from 'viem'
import { NATIVE_ASSET } from '../chains/types.js'
import { TollgateError } from '../errors/tollgate-error.js'
import type { JsonRpc } from '../rpc/create-json-rpc.js'
import { parseRpcAnswer } from '../rpc/parse-rpc-answer.js'
import type {
  RecoverSignerInput,
  TxVerifier,
  VerifiedTransfer,
  VerifyTransferInput,
} from '../scheme/types.js'
import { blockSchema, quantitySchema, receiptSchema, transactionSchema } from './rpc-schemas.js'

/** Options of {@link createEvmTxVerifier}. */
export type CreateEvmTxVerifierOptions = {
  /** JSON-RPC client of a node of this chain. */
  rpc: JsonRpc
  /** The chain id every transaction must be on. */
  chainId: number
  /** Typical seconds between blocks, for `Retry-After` while waiting for confirmations. */
  blockTimeSeconds: number
}

// keccak256("Transfer(address,address,uint256)")
const TRANSFER_TOPIC = '0xddf252ad1be2c89b69c2b068fc378daa952ba7f163c4a11628f55a4df523b3ef'
// keccak256("AuthorizationUsed(address,bytes32)"): EIP-3009's event for a used authorization.
const AUTHORIZATION_USED_TOPIC = '0x98de503528ee59b575ef0c0a2576a82497bfc029a5685b209e9ec333479b10a5'
const ERC1271_MAGIC = '0x1626ba7e'
const HASH = /^0x[0-9a-fA-F]{64}$/
const SIGNATURE = /^0x[0-9a-fA-F]{130,2048}$/

/**
 * Creates the `tx` verifier for one EVM chain: a native or ERC-20 transfer, proven by its hash and
 * the payer's EIP-191 signature over the proof message. Receipt, transaction, block and head come
 * back in one batched JSON-RPC round trip when the payload carries a `blockNumber` hint.
 *
 * @example const verifier = createEvmTxVerifier({ rpc: createJsonRpc({ url }), chainId: 8453, blockTimeSeconds: 2 })
 * `recoverSigner` recovers the proof's signer offline, so the gate can claim per signer before any
 * RPC. A token transfer whose transaction also carries the asset's `AuthorizationUsed` event was
 * an `exact` payment and is refused (`verify_authorization_transfer`).
 *
 * @throws {TollgateError} from `verifyTransfer`: `verify_*` codes (among them
 * `verify_authorization_transfer`), `rpc_unavailable`; from `recoverSigner`: `verify_signature_invalid`
 */
export function createEvmTxVerifier(
  options: CreateEvmTxVerifierOptions,
): TxVerifier & { recoverSigner(input: RecoverSignerInput): Promise<string> } {
  const { rpc } = options
  let chainChecked = false

  return {
    specificationVersion: 'v1',
    parseTransaction: (value) =>
      typeof value === 'string' && HASH.test(value) ? value.toLowerCase() : undefined,
    recoverSigner: (input) => recoverSigner(input),
    async verifyTransfer(input: VerifyTransferInput): Promise<VerifiedTransfer> {
      // Offline first: who signed the proof. A wrong or foreign signature is caught before any RPC.
      const signer = await recoverSigner(input)

      let hint = parseHint(input.hints.blockNumber)
      const calls = (hinted: string | undefined) => [
        { method: 'eth_getTransactionReceipt', params: [input.transaction] },
        { method: 'eth_getTransactionByHash', params: [input.transaction] },
        { method: 'eth_blockNumber', params: [] },
        ...(hinted === undefined ? [] : [{ method: 'eth_getBlockByNumber', params: [hinted, false] }]),
        ...(chainChecked ? [] : [{ method: 'eth_chainId', params: [] }]),
      ]
      let results: unknown[]
      try {
        results = await rpc.batch(calls(hint), input.signal)
      } catch (error) {
        // A hint the node refuses costs one more round trip, never the answer.
        if (hint === undefined || input.signal?.aborted === true) throw error
        hint = undefined
        results = await rpc.batch(calls(undefined), input.signal)
      }
      const [rawReceipt, rawTransaction, rawHead] = results
      const rawChainId = chainChecked ? undefined : results[results.length - 1]
      if (rawChainId !== undefined) {
        const chainId = Number.parseInt(parseRpcAnswer(quantitySchema, rawChainId, 'eth_chainId'), 16)
        if (chainId !== options.chainId) {
          throw new TollgateError(
            'rpc_unavailable',
            `The RPC node serves chain ${chainId}, not ${options.chainId}.`,
            {
              retryAfter: 30,
            },
          )
        }
        chainChecked = true
      }
      if (rawReceipt === null || rawTransaction === null) {
        throw new TollgateError(
          'verify_tx_not_found',
          `Transaction ${input.transaction} is not on chain (yet).`,
          {
            retryAfter: options.blockTimeSeconds,
            details: { transaction: input.transaction },
          },
        )
      }
      const receipt = parseRpcAnswer(receiptSchema, rawReceipt, 'eth_getTransactionReceipt')
      const transaction = parseRpcAnswer(transactionSchema, rawTransaction, 'eth_getTransactionByHash')
      const head = BigInt(parseRpcAnswer(quantitySchema, rawHead, 'eth_blockNumber'))
      checkMinedTransaction(receipt, transaction, head, input, options)
      const blockTime = await readBlockTime(rpc, receipt, hint === undefined ? undefined : results[3], input)
      if (input.asset.address === NATIVE_ASSET)
        return verifyNativeTransfer(transaction, signer, blockTime, input)
      return verifyTokenTransfer(rpc, receipt, signer, blockTime, input)
    },
  }
}

type Receipt = ReturnType<typeof receiptSchema.parse>
type Transaction = ReturnType<typeof transactionSchema.parse>

/** Refuses a transaction about another hash, of another chain, reverted or not confirmed enough. */
function checkMinedTransaction(
  receipt: Receipt,
  transaction: Transaction,
  head: bigint,
  input: VerifyTransferInput,
  options: CreateEvmTxVerifierOptions,
): void {
  if (transaction.hash.toLowerCase() !== input.transaction) {
    throw new TollgateError('rpc_unavailable', 'The RPC node answered about another transaction.', {
      retryAfter: 2,
    })
  }
  if (transaction.chainId !== undefined && Number.parseInt(transaction.chainId, 16) !== options.chainId) {
    throw new TollgateError(
      'verify_chain_mismatch',
      `The transaction was signed for chain ${Number.parseInt(transaction.chainId, 16)}.`,
      {
        details: { expected: options.chainId },
      },
    )
  }
  if (BigInt(receipt.status) !== 1n) {
    throw new TollgateError('verify_tx_failed', `Transaction ${input.transaction} reverted.`, {
      details: { transaction: input.transaction },
    })
  }
  const blockNumber = BigInt(receipt.blockNumber)
  const confirmations = head >= blockNumber ? head - blockNumber + 1n : 0n
  if (confirmations < BigInt(input.confirmations)) {
    const missing = Number(BigInt(input.confirmations) - confirmations)
    throw new TollgateError(
      'verify_unconfirmed',
      `The transaction has ${confirmations} of ${input.confirmations} confirmations.`,
      {
        retryAfter: Math.max(1, missing * options.blockTimeSeconds),
        details: { confirmations: Number(confirmations), required: input.confirmations },
      },
    )
  }
}

/** The block time of the receipt's block, inside the acceptance window; `hinted` is the hinted block answer. */
async function readBlockTime(
  rpc: JsonRpc,
  receipt: Receipt,
  hinted: unknown,
  input: VerifyTransferInput,
): Promise<number> {
  // The hint saves a round trip; a wrong hint costs one more, never a wrong answer.
  let block =
    hinted === undefined || hinted === null
      ? undefined
      : parseRpcAnswer(blockSchema, hinted, 'eth_getBlockByNumber')
  if (block === undefined || block.hash.toLowerCase() !== receipt.blockHash.toLowerCase()) {
    const fetched = await rpc.request('eth_getBlockByHash', [receipt.blockHash, false], input.signal)
    if (fetched === null)
      throw new TollgateError('verify_tx_not_found', 'The transaction block was reorganised away.', {
        retryAfter: 2,
      })
    block = parseRpcAnswer(blockSchema, fetched, 'eth_getBlockByHash')
  }
  const blockTime = Number(BigInt(block.timestamp))
  if (blockTime < input.notBefore || blockTime > input.notAfter) {
    throw new TollgateError(
      'verify_outside_window',
      `The transaction's block time ${blockTime} is outside the acceptance window.`,
      {
        details: { blockTime, notBefore: input.notBefore, notAfter: input.notAfter },
      },
    )
  }
  return blockTime
}

/** A native transfer: to the recipient, from the proof's signer, enough value. */
function verifyNativeTransfer(
  transaction: Transaction,
  signer: string,
  blockTime: number,
  input: VerifyTransferInput,
): VerifiedTransfer {
  const payTo = input.payTo.toLowerCase()
  if (transaction.to?.toLowerCase() !== payTo) {
    throw new TollgateError(
      'verify_recipient_mismatch',
      'The transaction does not pay the expected recipient.',
      {
        details: { expected: input.payTo },
      },
    )
  }
  const value = BigInt(transaction.value)
  if (transaction.from.toLowerCase() !== signer) {
    throw new TollgateError('verify_payer_mismatch', 'The proof was not signed by the account that paid.')
  }
  if (value < input.amount) throw insufficient(value, input.amount)
  return { payer: getAddress(transaction.from), amount: value, blockTime, transferIds: ['native'] }
}

/** A token transfer: the asset's `Transfer` logs to the recipient, from the signer or an ERC-1271 wallet. */
async function verifyTokenTransfer(
  rpc: JsonRpc,
  receipt: Receipt,
  signer: string,
  blockTime: number,
  input: VerifyTransferInput,
): Promise<VerifiedTransfer> {
  const payTo = input.payTo.toLowerCase()
  const asset = input.asset.address.toLowerCase()
  refuseAuthorizationTransfer(receipt.logs, asset, input.transaction)
  const credits = receipt.logs
    .filter(
      (log) =>
        log.removed !== true && log.topics[0]?.toLowerCase() === TRANSFER_TOPIC && log.topics.length === 3,
    )
    .map((log) => ({
      token: log.address.toLowerCase(),
      from: topicAddress(log.topics[1] as string),
      to: topicAddress(log.topics[2] as string),
      value: log.data.length > 2 ? BigInt(log.data.slice(0, 66)) : 0n,
      logIndex: log.logIndex === undefined || log.logIndex === null ? undefined : BigInt(log.logIndex),
    }))
    .filter((credit) => credit.to === payTo)
  if (credits.length === 0) {
    throw new TollgateError(
      'verify_recipient_mismatch',
      'The transaction transfers nothing to the expected recipient.',
      {
        details: { expected: input.payTo },
      },
    )
  }
  const ofAsset = credits.filter((credit) => credit.token === asset)
  if (ofAsset.length === 0) {
    throw new TollgateError('verify_asset_mismatch', 'The transaction pays the recipient in another token.', {
      details: { expected: input.asset.address },
    })
  }
  let payer = signer
  let paid = sum(ofAsset.filter((credit) => credit.from === signer))
  if (paid === 0n) {
    // A contract wallet paid: its owner's signature must satisfy ERC-1271 on the wallet.
    const wallets = [...new Set(ofAsset.map((credit) => credit.from))]
    const wallet = await findErc1271Signer(rpc, wallets, input)
    if (wallet === undefined)
      throw new TollgateError('verify_payer_mismatch', 'The proof was not signed by the account that paid.')
    payer = wallet
    paid = sum(ofAsset.filter((credit) => credit.from === wallet))
  }
  if (paid < input.amount) throw insufficient(paid, input.amount)
  const transferIds = ofAsset
    .filter((credit) => credit.from === payer && credit.logIndex !== undefined)
    .map((credit) => String(credit.logIndex))
  return { payer: getAddress(payer), amount: paid, blockTime, transferIds }
}

/** The lowercase address that signed the proof message, recovered offline (EIP-191). */
async function recoverSigner(input: RecoverSignerInput): Promise<string> {
  if (!SIGNATURE.test(input.signature)) {
    throw new TollgateError(
      'verify_signature_invalid',
      'The proof signature is not a 0x-prefixed hex signature.',
    )
  }
  try {
    return (
      await recoverMessageAddress({ message: input.message, signature: input.signature as Hex })
    ).toLowerCase()
  } catch (error) {
    throw new TollgateError('verify_signature_invalid', 'The proof signature cannot be recovered.', {
      cause: error,
    })
  }
}

/**
 * A transfer made by an EIP-3009 authorization is an `exact` payment (the asset emits
 * `AuthorizationUsed` in the same transaction); it is sold through `exact` and never again as a
 * `tx` proof, whoever settled it.
 */
function refuseAuthorizationTransfer(
  logs: readonly { address: string; topics: readonly string[]; removed?: boolean | undefined }[],
  asset: string,
  transaction: string,
): void {
  const used = logs.some(
    (log) =>
      log.removed !== true &&
      log.address.toLowerCase() === asset &&
      log.topics[0]?.toLowerCase() === AUTHORIZATION_USED_TOPIC,
  )
  if (used) {
    throw new TollgateError(
      'verify_authorization_transfer',
      `Transaction ${transaction} moved the asset by an EIP-3009 authorization; pay it with exact, not as a tx proof.`,
      { details: { transaction } },
    )
  }
}

async function findErc1271Signer(
  rpc: JsonRpc,
  wallets: string[],
  input: VerifyTransferInput,
): Promise<string | undefined> {
  const digest = hashMessage(input.message)
  const signature = input.signature.slice(2)
  const offsetWord = (64).toString(16).padStart(64, '0')
  const lengthWord = (signature.length / 2).toString(16).padStart(64, '0')
  const padded = signature.padEnd(Math.ceil(signature.length / 64) * 64, '0')
  const data = `${ERC1271_MAGIC}${digest.slice(2)}${offsetWord}${lengthWord}${padded}`
  // Few candidates at most: the senders of transfers of this asset to the recipient.
  for (const wallet of wallets.slice(0, 4)) {
    let result: unknown
    try {
      result = await rpc.request('eth_call', [{ to: wallet, data }, 'latest'], input.signal)
    } catch (error) {
      // A plain account or a wallet that rejects the signature answers with a revert.
      if (TollgateError.is(error) && /revert/i.test(String(error.details?.rpcMessage ?? ''))) continue
      throw error
    }
    if (typeof result === 'string' && result.slice(0, 10).toLowerCase() === ERC1271_MAGIC) return wallet
  }
  return undefined
}

// Hints are untrusted: only block numbers a chain can have (up to 2^53 - 1) are sent to the node.
function parseHint(value: unknown): string | undefined {
  if (typeof value === 'number' && Number.isSafeInteger(value) && value >= 0) return `0x${value.toString(16)}`
  if (typeof value !== 'string' || !/^(0x[0-9a-fA-F]{1,16}|\d{1,20})$/.test(value)) return undefined
  const number = BigInt(value)
  return number <= BigInt(Number.MAX_SAFE_INTEGER) ? `0x${number.toString(16)}` : undefined
}

function topicAddress(topic: string): string {
  return `0x${topic.slice(26)}`.toLowerCase()
}

function sum(credits: { value: bigint }[]): bigint {
  return credits.reduce((total, credit) => total + credit.value, 0n)
}

function insufficient(paid: bigint, required: bigint): TollgateError {
  return new TollgateError(
    'verify_amount_insufficient',
    `The transfer paid ${paid} atomic units; ${required} are required.`,
    {
      details: { paid, required },
    },
  )
}
