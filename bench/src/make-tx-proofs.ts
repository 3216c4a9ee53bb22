import { createProofMessage, encodePaymentSignatureHeader, type PaymentRequirements } from '@tollgate/core'
import { createJsonRpc } from '@tollgate/core/evm'
import { encodeFunctionData, erc20Abi, getAddress, type Hex } from 'viem'
import { privateKeyToAccount } from 'viem/accounts'

/** Options of {@link makeTxProofs}. */
export type MakeTxProofsOptions = {
  rpcUrl: string
  chainId: number
  /** Key of the paying account; it sends nothing else meanwhile. */
  payerKey: Hex
  /** The route's `tx` requirement, with its challenge, from one 402. */
  requirements: PaymentRequirements
  /** How many transfers, hence proofs. */
  count: number
}

const SEND_BATCH = 100

/**
 * Pays `count` times for real on the devnet and proves each payment once: signs `count` ERC-20
 * transfers locally with consecutive nonces, sends them in JSON-RPC batches, waits until all are
 * mined, then signs one proof per transfer against the one challenge and encodes each as a
 * `PAYMENT-SIGNATURE` header, with the `blockNumber` hint a client sends.
 *
 * @example const headers = await makeTxProofs({ rpcUrl, chainId, payerKey, requirements, count: 1000 })
 * @throws {Error} when a transfer reverts or is not mined within 60 s
 */
export async function makeTxProofs(options: MakeTxProofsOptions): Promise<string[]> {
  const { requirements, count } = options
  const account = privateKeyToAccount(options.payerKey)
  const rpc = createJsonRpc({ url: options.rpcUrl, timeoutMs: 30_000 })
  const token = getAddress(requirements.asset)
  const data = encodeFunctionData({
    abi: erc20Abi,
    functionName: 'transfer',
    args: [getAddress(requirements.payTo), BigInt(requirements.amount)],
  })
  const [nonceHex, gasHex, block] = (await rpc.batch([
    { method: 'eth_getTransactionCount', params: [account.address, 'pending'] },
    { method: 'eth_estimateGas', params: [{ from: account.address, to: token, data }] },
    { method: 'eth_getBlockByNumber', params: ['latest', false] },
  ])) as [Hex, Hex, { baseFeePerGas?: Hex }]
  const firstNonce = Number(BigInt(nonceHex))
  // Blocks on the devnet are nearly empty, so the base fee only falls: twice today's is plenty.
  const maxPriorityFeePerGas = 1_000_000_000n
  const maxFeePerGas = BigInt(block.baseFeePerGas ?? '0x0') * 2n + maxPriorityFeePerGas
  const gas = (BigInt(gasHex) * 3n) / 2n

  const signed: Hex[] = []
  for (let index = 0; index < count; index++) {
    signed.push(
      await account.signTransaction({
        type: 'eip1559',
        chainId: options.chainId,
        nonce: firstNonce + index,
        to: token,
        data,
        gas,
        maxFeePerGas,
        maxPriorityFeePerGas,
      }),
    )
  }
  const hashes: Hex[] = []
  for (let start = 0; start < count; start += SEND_BATCH) {
    const batch = signed.slice(start, start + SEND_BATCH)
    hashes.push(
      ...((await rpc.batch(
        batch.map((transaction) => ({ method: 'eth_sendRawTransaction', params: [transaction] })),
      )) as Hex[]),
    )
  }

  const last = hashes[hashes.length - 1]!
  const deadline = Date.now() + 60_000
  while ((await rpc.request('eth_getTransactionReceipt', [last])) === null) {
    if (Date.now() > deadline) throw new Error(`Transfer ${last} was not mined within 60 s.`)
    await new Promise((resolve) => setTimeout(resolve, 20))
  }
  const blockNumbers: string[] = []
  for (let start = 0; start < count; start += SEND_BATCH) {
    const receipts = (await rpc.batch(
      hashes
        .slice(start, start + SEND_BATCH)
        .map((hash) => ({ method: 'eth_getTransactionReceipt', params: [hash] })),
    )) as ({ status: Hex; blockNumber: Hex; transactionHash: Hex } | null)[]
    for (const receipt of receipts) {
      if (receipt === null || BigInt(receipt.status) !== 1n) {
        throw new Error(`A benchmark transfer was not mined or reverted: ${JSON.stringify(receipt)}.`)
      }
      blockNumbers.push(receipt.blockNumber)
    }
  }

  const challenge = requirements.extra.challenge as string
  const headers: string[] = []
  for (let index = 0; index < count; index++) {
    const transaction = hashes[index]!.toLowerCase()
    const signature = await account.signMessage({
      message: createProofMessage({ network: requirements.network, transaction, challenge }),
    })
    headers.push(
      encodePaymentSignatureHeader({
        x402Version: 2,
        accepted: requirements,
        payload: { transaction, challenge, signature, blockNumber: blockNumbers[index] },
      }),
    )
  }
  return headers
}
