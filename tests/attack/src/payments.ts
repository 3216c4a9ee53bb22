import {
  createProofMessage,
  decodePaymentRequiredHeader,
  decodePaymentResponseHeader,
  encodePaymentSignatureHeader,
  encodeXPaymentHeader,
  type PaymentRequirements,
} from '@tollgate/core'
import { type Address, createWalletClient, erc20Abi, getAddress, type Hex, http, toHex } from 'viem'
import { rawHttp } from './raw-http.js'
import type { Merchant } from './start-merchant.js'
import type { Payer, World } from './start-world.js'

/** The requirements a priced route offers, per scheme. */
export type Offer = { tx: PaymentRequirements; exact: PaymentRequirements; resourceUrl: string }

/** Asks `merchant` for the 402 of `method path` and returns its `tx` and `exact` requirements. */
export async function offerOf(merchant: Merchant, method: string, path: string): Promise<Offer> {
  const response = await rawHttp(merchant.port, {
    method,
    target: path,
    ...(method === 'POST' ? { headers: { 'content-type': 'application/json' }, body: '{}' } : {}),
  })
  const header = response.headers['payment-required']
  if (response.status !== 402 || header === undefined) {
    throw new Error(`Expected a 402 from ${method} ${path}, got ${response.status}: ${response.body}`)
  }
  const required = decodePaymentRequiredHeader(header)
  const tx = required.accepts.find((entry) => entry.scheme === 'tx')
  const exact = required.accepts.find((entry) => entry.scheme === 'exact')
  if (tx === undefined || exact === undefined) throw new Error(`${path} lacks a tx or exact offer.`)
  return { tx, exact, resourceUrl: required.resource.url }
}

/** Options of {@link sendTransfer}. */
export type TransferOptions = {
  to: Address
  amount: bigint
  /** Token address, or `'native'` for ether; default the devnet USDC. */
  token?: Address | 'native'
  /** Sends with a fixed gas limit so a failing transfer is mined as reverted. */
  forceGas?: boolean
}

/** Sends a transfer from `payer` straight to anvil and waits for its receipt. */
export async function sendTransfer(
  world: World,
  payer: Payer,
  options: TransferOptions,
): Promise<{ hash: Hex; blockNumber: bigint; status: 'success' | 'reverted' }> {
  const wallet = createWalletClient({
    account: payer.account,
    chain: world.devnet.chain,
    transport: http(world.devnet.rpcUrl),
  })
  const gas = options.forceGas ? { gas: 100_000n } : {}
  const hash =
    options.token === 'native'
      ? await wallet.sendTransaction({ to: options.to, value: options.amount, ...gas })
      : await wallet.writeContract({
          address: options.token ?? world.usdc,
          abi: erc20Abi,
          functionName: 'transfer',
          args: [options.to, options.amount],
          ...gas,
        })
  const receipt = await world.devnet.publicClient.waitForTransactionReceipt({ hash, pollingInterval: 20 })
  return { hash, blockNumber: receipt.blockNumber, status: receipt.status }
}

/** Options of {@link txProofHeader}. */
export type TxProofOptions = {
  requirements: PaymentRequirements
  hash: string
  /** Who signs the proof. */
  signer: Payer
  /** The challenge in the payload and the signed message; default the requirements'. */
  challenge?: string
  /** A challenge signed over but not sent (`payload.challenge` omitted) when `'omit'`. */
  payloadChallenge?: 'omit'
  /** A `blockNumber` hint, sent as given. */
  blockNumber?: string
  /** The requirements sent back as `accepted`; default `requirements`. */
  accepted?: PaymentRequirements
  /** Replaces the signature. */
  signature?: string
  /** Sends the payload as x402 v1 `X-PAYMENT`. */
  v1?: boolean
}

/** Signs and encodes a `tx` proof: `{ name, value }` of the header to send. */
export async function txProofHeader(options: TxProofOptions): Promise<{ name: string; value: string }> {
  const challenge = options.challenge ?? (options.requirements.extra.challenge as string)
  const message = createProofMessage({
    network: options.requirements.network,
    transaction: options.hash,
    challenge,
  })
  const signature = options.signature ?? (await options.signer.account.signMessage({ message }))
  const payload = {
    transaction: options.hash,
    ...(options.payloadChallenge === 'omit' ? {} : { challenge }),
    signature,
    ...(options.blockNumber === undefined ? {} : { blockNumber: options.blockNumber }),
  }
  const accepted = options.accepted ?? options.requirements
  if (options.v1) {
    return {
      name: 'X-PAYMENT',
      value: encodeXPaymentHeader({
        x402Version: 1,
        scheme: 'tx',
        network: accepted.network,
        payload,
      } as Parameters<typeof encodeXPaymentHeader>[0]),
    }
  }
  return {
    name: 'PAYMENT-SIGNATURE',
    value: encodePaymentSignatureHeader({ x402Version: 2, accepted, payload }),
  }
}

/** Pays `requirements` with a USDC transfer from `payer` and returns the signed proof header. */
export async function payTx(
  world: World,
  payer: Payer,
  requirements: PaymentRequirements,
): Promise<{ header: { name: string; value: string }; hash: Hex }> {
  const paid = await sendTransfer(world, payer, {
    to: requirements.payTo as Address,
    amount: BigInt(requirements.amount),
  })
  return { header: await txProofHeader({ requirements, hash: paid.hash, signer: payer }), hash: paid.hash }
}

/** Fields of an EIP-3009 authorization to change, and a domain to sign under. */
export type ExactOverrides = {
  to?: Address
  value?: bigint
  validAfter?: bigint
  validBefore?: bigint
  nonce?: Hex
  domainName?: string
  domainVersion?: string
  chainId?: number
  /** Signs with this payer while `from` stays the original. */
  signer?: Payer
  /** The requirements sent back as `accepted`; default those signed for. */
  accepted?: PaymentRequirements
}

const transferWithAuthorization = {
  TransferWithAuthorization: [
    { name: 'from', type: 'address' },
    { name: 'to', type: 'address' },
    { name: 'value', type: 'uint256' },
    { name: 'validAfter', type: 'uint256' },
    { name: 'validBefore', type: 'uint256' },
    { name: 'nonce', type: 'bytes32' },
  ],
} as const

/** Signs an x402 `exact` authorization from `payer` for `requirements` and encodes the header value. */
export async function exactHeader(
  world: World,
  payer: Payer,
  requirements: PaymentRequirements,
  overrides: ExactOverrides = {},
): Promise<string> {
  const nowSeconds = BigInt(Math.floor(Date.now() / 1000))
  const message = {
    from: payer.address,
    to: overrides.to ?? getAddress(requirements.payTo),
    value: overrides.value ?? BigInt(requirements.amount),
    validAfter: overrides.validAfter ?? nowSeconds - 60n,
    validBefore: overrides.validBefore ?? nowSeconds + 120n,
    nonce: overrides.nonce ?? toHex(crypto.getRandomValues(new Uint8Array(32))),
  }
  const signature = await (overrides.signer ?? payer).account.signTypedData({
    domain: {
      name: overrides.domainName ?? (requirements.extra.name as string),
      version: overrides.domainVersion ?? (requirements.extra.version as string),
      chainId: overrides.chainId ?? world.devnet.chainId,
      verifyingContract: getAddress(requirements.asset),
    },
    types: transferWithAuthorization,
    primaryType: 'TransferWithAuthorization',
    message,
  })
  const authorization = {
    from: message.from,
    to: message.to,
    value: String(message.value),
    validAfter: String(message.validAfter),
    validBefore: String(message.validBefore),
    nonce: message.nonce,
  }
  return encodePaymentSignatureHeader({
    x402Version: 2,
    accepted: overrides.accepted ?? requirements,
    payload: { signature, authorization },
  })
}

/** The settlement transaction a `PAYMENT-RESPONSE` header names, if any. */
export function settlementOf(headers: Record<string, string>): string | undefined {
  const header = headers['payment-response']
  if (header === undefined) return undefined
  const settled = decodePaymentResponseHeader(header)
  return settled.success ? settled.transaction : undefined
}

/** The pass a `PAYMENT-RESPONSE` header carries, if any. */
export function passOf(headers: Record<string, string>): string | undefined {
  const header = headers['payment-response']
  if (header === undefined) return undefined
  const pass = decodePaymentResponseHeader(header).extensions?.pass as { token?: string } | undefined
  return pass?.token
}
