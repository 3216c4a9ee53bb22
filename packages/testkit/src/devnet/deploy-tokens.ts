import {
  type Address,
  type Chain,
  encodeDeployData,
  encodeFunctionData,
  getContractAddress,
  type Hash,
  type HttpTransport,
  type PublicClient,
} from 'viem'
import type { PrivateKeyAccount } from 'viem/accounts'
import { abi, bytecode } from '../contracts/test-usdc.js'

/** What {@link deployTokens} deploys: the constructor arguments of one `TestUsdc`. @internal */
export interface TokenSpecification {
  name: string
  symbol: string
  version: string
  decimals: number
}

/** Options of {@link deployTokens}. @internal */
export interface DeployTokensOptions {
  publicClient: PublicClient<HttpTransport, Chain>
  /** Deploys the tokens, owns them and mints. */
  deployer: PrivateKeyAccount
  tokens: readonly TokenSpecification[]
  /** Who receives tokens. */
  recipients: readonly Address[]
  /** Whole tokens per recipient, scaled by each token's decimals. */
  tokenBalance: bigint
}

// A mint to a fresh account uses about 55k gas; the limit only caps it.
const mintGas = 120_000n

/**
 * Deploys one `TestUsdc` per specification from `deployer` and mints to every recipient. All
 * transactions are signed locally with consecutive nonces and sent at once, then awaited
 * together, so startup costs one block with interval mining and no gas estimation per mint.
 * On a fresh chain the addresses depend only on the deployer (CREATE with nonces 0, 1, …).
 * @internal
 * @example const [usdc] = await deployTokens({ publicClient, deployer, tokens, recipients, tokenBalance: 1_000_000n })
 * @throws {Error} when a transaction reverts.
 */
export async function deployTokens(options: DeployTokensOptions): Promise<Address[]> {
  const { publicClient, deployer } = options
  const chainId = publicClient.chain.id
  const [startNonce, block, deployGas] = await Promise.all([
    publicClient.getTransactionCount({ address: deployer.address, blockTag: 'pending' }),
    publicClient.getBlock({ blockTag: 'latest' }),
    Promise.all(
      options.tokens.map((token) =>
        publicClient.estimateGas({ account: deployer.address, data: deployData(token) }),
      ),
    ),
  ])
  // Room for the base fee to rise over a few full blocks; unused fee is never charged.
  const maxPriorityFeePerGas = 1_000_000_000n
  const maxFeePerGas = (block.baseFeePerGas ?? 1_000_000_000n) * 2n + maxPriorityFeePerGas
  let nonce = startNonce
  const hashes: Hash[] = []
  const send = async (transaction: { to?: Address; data: `0x${string}`; gas: bigint }): Promise<void> => {
    const serializedTransaction = await deployer.signTransaction({
      type: 'eip1559',
      chainId,
      nonce: nonce++,
      maxFeePerGas,
      maxPriorityFeePerGas,
      value: 0n,
      ...transaction,
    })
    hashes.push(await publicClient.sendRawTransaction({ serializedTransaction }))
  }

  const addresses: Address[] = []
  for (const [index, token] of options.tokens.entries()) {
    addresses.push(getContractAddress({ from: deployer.address, nonce: BigInt(nonce) }))
    // Deployment gas is estimated, with headroom for the stores of the constructor strings.
    await send({ data: deployData(token), gas: ((deployGas[index] ?? 3_000_000n) * 12n) / 10n })
  }
  for (const [index, token] of options.tokens.entries()) {
    const amount = options.tokenBalance * 10n ** BigInt(token.decimals)
    if (amount === 0n) continue
    for (const recipient of options.recipients) {
      const data = encodeFunctionData({ abi, functionName: 'mint', args: [recipient, amount] })
      await send({ to: addresses[index]!, data, gas: mintGas })
    }
  }

  // Nonces are consecutive, so once the last transaction is mined all of them are.
  const last = hashes.at(-1)
  if (last) await publicClient.waitForTransactionReceipt({ hash: last, pollingInterval: 50 })
  const receipts = await Promise.all(hashes.map((hash) => publicClient.getTransactionReceipt({ hash })))
  const failed = receipts.find((receipt) => receipt.status !== 'success')
  if (failed) throw new Error(`devnet setup transaction ${failed.transactionHash} reverted`)
  return addresses
}

function deployData(token: TokenSpecification): `0x${string}` {
  return encodeDeployData({ abi, bytecode, args: [token.name, token.symbol, token.version, token.decimals] })
}
