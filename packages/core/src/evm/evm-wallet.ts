import {
  decodeFunctionResult,
  encodeFunctionData,
  getAddress,
  type Hex,
  keccak256,
  type LocalAccount,
  parseSignature,
  toHex,
} from 'viem'
import { NATIVE_ASSET } from '../chains/types.js'
import { TollgateError } from '../errors/tollgate-error.js'
import { createJsonRpc, type JsonRpc } from '../rpc/create-json-rpc.js'
import type {
  AuthorizationState,
  AuthorizationStateInput,
  AuthorizeInput,
  ConfirmTransferInput,
  SendTransferInput,
  Wallet,
} from '../scheme/wallet.js'
import { transferWithAuthorizationTypes } from './check-exact-authorization.js'
import { eip3009Abi } from './eip3009-abi.js'
import { mppChallengeNonce } from './mpp-challenge-nonce.js'
import { readTokenDomain } from './read-token-domain.js'

/** Options of {@link evmWallet}. */
export type EvmWalletOptions = {
  /**
   * The signer: a viem `LocalAccount` (`privateKeyToAccount(key)`, or `toAccount({ address,
   * signMessage, signTransaction, signTypedData })` for a remote or hardware signer). The wallet never
   * reads, copies or serialises key material.
   */
  account: LocalAccount
  /**
   * JSON-RPC endpoint per CAIP-2 network this wallet pays `tx` on, such as `{ 'eip155:8453': 'https://…' }`.
   * `exact` needs none to sign: its authorization is signed offline, on any eip155 network (an
   * endpoint is still used, when there is one, to learn whether a held authorization was used).
   * Default none.
   */
  rpcUrls?: Readonly<Record<string, string>>
  /**
   * One JSON-RPC endpoint for a network not in `rpcUrls`: the wallet uses it only when the
   * endpoint's `eth_chainId` is the network's chain id (checked once, before the first use). Default none.
   */
  rpcUrl?: string
  /** Schemes this wallet pays. Default `["exact", "tx"]`. */
  schemes?: readonly ('exact' | 'tx')[]
  /** Milliseconds between receipt polls while waiting for confirmations. Default 250. */
  pollingIntervalMs?: number
  /** Milliseconds before an RPC round trip fails. Default 10000. */
  rpcTimeoutMs?: number
  /** Extra priority fee in wei per gas on EIP-1559 chains. Default: the node's suggestion. */
  maxPriorityFeePerGas?: bigint
}

const ERC20_TRANSFER = [
  {
    type: 'function',
    name: 'transfer',
    stateMutability: 'nonpayable',
    inputs: [
      { name: 'to', type: 'address' },
      { name: 'value', type: 'uint256' },
    ],
    outputs: [{ type: 'bool' }],
  },
] as const
const BALANCE_OF = '0x70a08231'

// One chain a wallet pays on: its RPC, the queue and nonce that serialise its sends, and whether
// the endpoint is known to serve this chain.
type EvmChain = {
  chainId: number
  rpc: JsonRpc
  queue: Promise<unknown>
  nonce: bigint | undefined
  ready: Promise<void>
}

/**
 * Creates a wallet that pays on EVM chains: `tx` requirements with an ERC-20 `transfer` or a native
 * send (then an EIP-191 proof), and x402 `exact` requirements with an EIP-3009
 * `transferWithAuthorization` signature (no gas). Sends from one account are serialised per chain
 * with a local nonce, so concurrent payments never collide.
 *
 * @example
 * const wallet = evmWallet({ account: privateKeyToAccount(key), rpcUrls: { 'eip155:8453': 'https://mainnet.base.org' } })
 * @throws {TollgateError} `config_invalid` for networks that are not eip155
 */
export function evmWallet(options: EvmWalletOptions): Wallet {
  const { account } = options
  const schemes = options.schemes ?? ['exact', 'tx']
  const pollingIntervalMs = options.pollingIntervalMs ?? 250
  const timeoutMs = options.rpcTimeoutMs ?? 10_000
  const chains = new Map<string, EvmChain>()
  for (const [network, url] of Object.entries(options.rpcUrls ?? {})) {
    const chainId = evmChainId(network)
    if (chainId === undefined)
      throw new TollgateError('config_invalid', `"${network}" is not an EVM (eip155) network.`)
    const rpc = createJsonRpc({ url, timeoutMs })
    chains.set(network, {
      chainId,
      rpc,
      queue: Promise.resolve(),
      nonce: undefined,
      ready: Promise.resolve(),
    })
  }
  const fallbackUrl = options.rpcUrl
  const chainOf = (network: string): EvmChain => {
    const known = chains.get(network)
    if (known !== undefined) return known
    const chainId = evmChainId(network)
    if (chainId === undefined || fallbackUrl === undefined)
      throw new TollgateError('wallet_unavailable', `This wallet has no RPC for ${network}.`)
    const chain = checkedChain(chainId, createJsonRpc({ url: fallbackUrl, timeoutMs }), network)
    // A failed check is reported by the call that waits on it; a later call checks again.
    chain.ready.catch(() => chains.delete(network))
    chains.set(network, chain)
    return chain
  }
  const readyChain = async (network: string): Promise<EvmChain> => {
    const chain = chainOf(network)
    await chain.ready
    return chain
  }

  const sendTransfer = async (input: SendTransferInput): Promise<{ transaction: string }> => {
    const { requirements } = input
    const chain = chainOf(requirements.network)
    const native = requirements.asset === NATIVE_ASSET
    const to = getAddress(native ? requirements.payTo : requirements.asset)
    const value = native ? BigInt(requirements.amount) : 0n
    const data = native
      ? undefined
      : encodeFunctionData({
          abi: ERC20_TRANSFER,
          functionName: 'transfer',
          args: [getAddress(requirements.payTo), BigInt(requirements.amount)],
        })
    // One transaction at a time per chain: nonces are assigned in order and never reused.
    const run = chain.queue.then(async () => {
      await chain.ready
      const call = { from: account.address, to, value: toHex(value), ...(data ? { data } : {}) }
      const [nonce, gas, block, tip] = await chain.rpc
        .batch([
          { method: 'eth_getTransactionCount', params: [account.address, 'pending'] },
          { method: 'eth_estimateGas', params: [call] },
          { method: 'eth_getBlockByNumber', params: ['latest', false] },
          { method: 'eth_maxPriorityFeePerGas', params: [] },
        ])
        .catch((error) => {
          const verdict = TollgateError.is(error) ? String(error.details?.rpcMessage ?? '') : ''
          if (/insufficient|exceeds balance|revert/i.test(verdict)) {
            throw new TollgateError('wallet_insufficient_funds', 'The wallet cannot afford this transfer.', {
              cause: error,
            })
          }
          throw error
        })
      const pending = BigInt(nonce as string)
      const next = chain.nonce !== undefined && chain.nonce > pending ? chain.nonce : pending
      const baseFee = BigInt((block as { baseFeePerGas?: string }).baseFeePerGas ?? '0x0')
      const priority = options.maxPriorityFeePerGas ?? BigInt((tip as string | null) ?? '0x3b9aca00')
      const signed = await account.signTransaction({
        type: 'eip1559',
        chainId: chain.chainId,
        nonce: Number(next),
        to,
        value,
        ...(data ? { data } : {}),
        gas: (BigInt(gas as string) * 12n) / 10n,
        maxPriorityFeePerGas: priority,
        maxFeePerGas: baseFee * 2n + priority,
      })
      // The id is known before the transfer can exist: the caller records it, then it is sent.
      const transaction = keccak256(signed).toLowerCase()
      await input.onSigned?.({ transaction, raw: signed })
      await broadcast(chain.rpc, transaction, signed).catch((error) => {
        chain.nonce = undefined
        throw error
      })
      chain.nonce = next + 1n
      return { transaction }
    })
    chain.queue = run.catch(() => {})
    return run
  }

  const wallet: Wallet & { toJSON(): unknown } = {
    specificationVersion: 'v1',
    supports(requirements) {
      if (!schemes.includes(requirements.scheme as 'exact' | 'tx')) return false
      if (requirements.scheme === 'exact') {
        // Signed offline: any eip155 network, no RPC.
        return (
          evmChainId(requirements.network) !== undefined &&
          requirements.asset !== NATIVE_ASSET &&
          typeof requirements.extra.name === 'string' &&
          typeof requirements.extra.version === 'string'
        )
      }
      const reachable =
        chains.has(requirements.network) ||
        (fallbackUrl !== undefined && evmChainId(requirements.network) !== undefined)
      return (
        reachable && (requirements.asset === NATIVE_ASSET || /^0x[0-9a-fA-F]{40}$/.test(requirements.asset))
      )
    },
    address: () => account.address,
    sendTransfer,
    confirmTransfer: async (input) =>
      confirmTransfer(await readyChain(input.requirements.network), pollingIntervalMs, input),
    signProof: ({ message }) => account.signMessage({ message }),
    authorize: (input) => authorize(account, input),
    authorizationState: async (input) => authorizationState(await readyChain(input.network), input),
    tokenDomain: async ({ network, asset, signal }) => {
      const chain = await readyChain(network)
      return readTokenDomain(chain.rpc, chain.chainId, asset, signal)
    },
    async balance(network, asset) {
      const chain = await readyChain(network)
      if (asset === NATIVE_ASSET)
        return BigInt((await chain.rpc.request('eth_getBalance', [account.address, 'latest'])) as string)
      const data = `${BALANCE_OF}${account.address.slice(2).toLowerCase().padStart(64, '0')}`
      return BigInt((await chain.rpc.request('eth_call', [{ to: asset, data }, 'latest'])) as string)
    },
    toJSON: () => ({ type: 'evmWallet', address: account.address, networks: [...chains.keys()] }),
  }
  // Inspecting the wallet shows its address, never the account object.
  Object.defineProperty(wallet, Symbol.for('nodejs.util.inspect.custom'), {
    value: () => `EvmWallet(${account.address})`,
  })
  return wallet
}

// Sends a signed transaction. A node's own refusal is final (`payment_failed`: nothing was sent);
// a lost or failed round trip is ambiguous, so the hash is looked up before anything is concluded.
async function broadcast(rpc: JsonRpc, transaction: string, raw: string): Promise<void> {
  try {
    await rpc.request('eth_sendRawTransaction', [raw])
    return
  } catch (error) {
    const refusal = TollgateError.is(error) ? error.details?.rpcMessage : undefined
    if (typeof refusal === 'string' && /already known|known transaction/i.test(refusal)) return
    if (await known(rpc, transaction)) return
    if (typeof refusal === 'string') {
      throw new TollgateError(
        'payment_failed',
        `The node refused transfer ${transaction}; nothing was sent.`,
        {
          cause: error,
          details: { transaction, sent: false },
        },
      )
    }
    throw new TollgateError(
      'rpc_unavailable',
      `Sending transfer ${transaction} got no answer; it may still land and is kept.`,
      { cause: error, details: { transaction, ambiguous: true } },
    )
  }
}

async function resend(rpc: JsonRpc, transaction: string, raw: string): Promise<void> {
  if (await known(rpc, transaction)) return
  await rpc.request('eth_sendRawTransaction', [raw]).catch(() => {})
}

async function known(rpc: JsonRpc, transaction: string): Promise<boolean> {
  try {
    return (await rpc.request('eth_getTransactionByHash', [transaction])) !== null
  } catch {
    return false
  }
}

async function confirmTransfer(
  chain: EvmChain,
  pollingIntervalMs: number,
  { transaction, confirmations, timeoutMs, raw, signal }: ConfirmTransferInput,
): Promise<{ hints: Record<string, unknown> }> {
  const deadline = Date.now() + timeoutMs
  let polls = 0
  for (;;) {
    const [receipt, head] = (await chain.rpc.batch(
      [
        { method: 'eth_getTransactionReceipt', params: [transaction] },
        { method: 'eth_blockNumber', params: [] },
      ],
      signal,
    )) as [{ status: string; blockNumber: string } | null, string]
    if (receipt === null && raw !== undefined && polls % 8 === 0) {
      // A transfer recorded but maybe never sent (a crash, a lost send) is sent again: same bytes, same id.
      await resend(chain.rpc, transaction, raw)
    }
    if (receipt !== null) {
      if (BigInt(receipt.status) !== 1n) {
        throw new TollgateError('payment_failed', `Transfer ${transaction} reverted.`, {
          details: { transaction },
        })
      }
      if (BigInt(head) - BigInt(receipt.blockNumber) + 1n >= BigInt(confirmations)) {
        return { hints: { blockNumber: receipt.blockNumber } }
      }
    }
    if (Date.now() >= deadline) {
      throw new TollgateError(
        'retry_limit_exceeded',
        `Transfer ${transaction} was not confirmed within ${timeoutMs} ms.`,
        {
          details: { transaction },
        },
      )
    }
    // Early polls come quickly, since a fast chain has often mined it already.
    await new Promise((resolve) => setTimeout(resolve, Math.min(pollingIntervalMs, 10 * 2 ** ++polls)))
  }
}

async function authorize(
  account: LocalAccount,
  { requirements, now, validForSeconds, mppChallenge }: AuthorizeInput,
): Promise<Record<string, unknown>> {
  const chainId = evmChainId(requirements.network)
  if (chainId === undefined)
    throw new TollgateError('wallet_unavailable', `${requirements.network} is not an EVM (eip155) network.`)
  // An MPP credential's nonce is its challenge's hash: the token then spends it at most once.
  const nonce =
    mppChallenge === undefined
      ? toHex(crypto.getRandomValues(new Uint8Array(32)))
      : mppChallengeNonce(mppChallenge)
  const nowSeconds = Math.floor(now / 1000)
  const authorization = {
    from: account.address,
    to: getAddress(requirements.payTo),
    value: requirements.amount,
    // Valid at once: a past validAfter fails on a chain whose block time lags the wall clock.
    validAfter: '0',
    validBefore: String(
      nowSeconds + Math.max(1, Math.floor(validForSeconds ?? requirements.maxTimeoutSeconds)),
    ),
    nonce,
  }
  const signature = await account.signTypedData({
    domain: {
      name: requirements.extra.name as string,
      version: requirements.extra.version as string,
      chainId,
      verifyingContract: getAddress(requirements.asset),
    },
    types: transferWithAuthorizationTypes,
    primaryType: 'TransferWithAuthorization',
    message: {
      ...authorization,
      value: BigInt(authorization.value),
      validAfter: BigInt(authorization.validAfter),
      validBefore: BigInt(authorization.validBefore),
    },
  })
  // Reject a signer that returns something other than a signature before it reaches a server.
  parseSignature(signature as Hex)
  return { signature, authorization }
}

async function authorizationState(
  chain: EvmChain,
  { asset, authorizer, nonce, signal }: AuthorizationStateInput,
): Promise<AuthorizationState> {
  const data = encodeFunctionData({
    abi: eip3009Abi,
    functionName: 'authorizationState',
    args: [getAddress(authorizer), nonce as Hex],
  })
  const [answer, block] = (await chain.rpc.batch(
    [
      { method: 'eth_call', params: [{ to: getAddress(asset), data }, 'latest'] },
      { method: 'eth_getBlockByNumber', params: ['latest', false] },
    ],
    signal,
  )) as [Hex, { timestamp: string }]
  const used = decodeFunctionResult({ abi: eip3009Abi, functionName: 'authorizationState', data: answer })
  return { used: used === true, chainTime: Number(BigInt(block.timestamp)) }
}

function evmChainId(network: string): number | undefined {
  const match = /^eip155:(\d{1,15})$/.exec(network)
  return match === null ? undefined : Number(match[1])
}

// A chain reached through the wallet's one fallback endpoint: usable once it answers this chain id.
function checkedChain(chainId: number, rpc: JsonRpc, network: string): EvmChain {
  const ready = rpc.request('eth_chainId', []).then((answer) => {
    if (BigInt(answer as string) !== BigInt(chainId)) {
      throw new TollgateError(
        'wallet_unavailable',
        `This wallet's RPC serves chain ${BigInt(answer as string)}, not ${network}.`,
      )
    }
  })
  return { chainId, rpc, queue: Promise.resolve(), nonce: undefined, ready }
}
