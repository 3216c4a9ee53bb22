import type { Devnet } from '@tollgate/testkit'
import { type Address, type Hex, type LocalAccount, parseSignature, toHex } from 'viem'
import { eip3009Abi } from '../../src/evm/eip3009-abi.js'
import { encodePaymentSignatureHeader } from '../../src/protocol/payment-signature-header.js'
import type { PaymentRequirements } from '../../src/protocol/types.js'

/** What a client puts in an `exact` payload, before overrides. */
export type AuthorizationFields = {
  from: Address
  to: Address
  value: bigint
  validAfter: bigint
  validBefore: bigint
  nonce: Hex
}

/** A fresh random 32-byte EIP-3009 nonce. */
export function randomNonce(): Hex {
  return toHex(crypto.getRandomValues(new Uint8Array(32)))
}

/**
 * Signs a `TransferWithAuthorization` for `requirements` the way an x402 client does (random nonce,
 * `validBefore = now + maxTimeoutSeconds`), with optional overrides of any field or of the domain,
 * and returns the `exact` payload.
 */
export async function signExactPayload(options: {
  devnet: Devnet
  signer: LocalAccount
  requirements: PaymentRequirements
  /** The payer; default the signer (a smart wallet's address for ERC-1271). */
  from?: Address
  authorization?: Partial<AuthorizationFields>
  domain?: Partial<{ name: string; version: string; chainId: number; verifyingContract: Address }>
}): Promise<{ signature: Hex; authorization: Record<keyof AuthorizationFields, string> }> {
  const { requirements } = options
  const now = BigInt(Math.floor(Date.now() / 1000))
  const authorization: AuthorizationFields = {
    from: options.from ?? options.signer.address,
    to: requirements.payTo as Address,
    value: BigInt(requirements.amount),
    validAfter: 0n,
    validBefore: now + BigInt(requirements.maxTimeoutSeconds),
    nonce: randomNonce(),
    ...options.authorization,
  }
  const signature = await options.signer.signTypedData({
    domain: {
      name: requirements.extra.name as string,
      version: requirements.extra.version as string,
      chainId: options.devnet.chainId,
      verifyingContract: requirements.asset as Address,
      ...options.domain,
    },
    types: {
      TransferWithAuthorization: [
        { name: 'from', type: 'address' },
        { name: 'to', type: 'address' },
        { name: 'value', type: 'uint256' },
        { name: 'validAfter', type: 'uint256' },
        { name: 'validBefore', type: 'uint256' },
        { name: 'nonce', type: 'bytes32' },
      ],
    },
    primaryType: 'TransferWithAuthorization',
    message: authorization,
  })
  return {
    signature,
    authorization: {
      from: authorization.from,
      to: authorization.to,
      value: authorization.value.toString(),
      validAfter: authorization.validAfter.toString(),
      validBefore: authorization.validBefore.toString(),
      nonce: authorization.nonce,
    },
  }
}

/** The `PAYMENT-SIGNATURE` header for an `exact` payload. */
export function exactHeader(requirements: PaymentRequirements, payload: Record<string, unknown>): string {
  return encodePaymentSignatureHeader({ x402Version: 2, accepted: requirements, payload })
}

/** The percentile `p` (0..100) of some numbers. */
export function percentile(values: readonly number[], p: number): number {
  const sorted = [...values].sort((left, right) => left - right)
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? Number.NaN
}

/**
 * Settles a signed EIP-3009 authorization on the devnet's USDC as a relayer would (account 8 sends
 * `transferWithAuthorization` with v, r, s) and waits for it to be mined.
 */
export async function settleAuthorization(
  devnet: Devnet,
  authorization: Record<'from' | 'to' | 'value' | 'validAfter' | 'validBefore' | 'nonce', string>,
  signature: Hex,
): Promise<Hex> {
  const { v, r, s } = parseSignature(signature)
  const relayer = devnet.walletClient(8)
  const hash = await relayer.writeContract({
    address: devnet.tokens.usdc.address,
    abi: eip3009Abi,
    functionName: 'transferWithAuthorization',
    args: [
      authorization.from as Address,
      authorization.to as Address,
      BigInt(authorization.value),
      BigInt(authorization.validAfter),
      BigInt(authorization.validBefore),
      authorization.nonce as Hex,
      Number(v),
      r,
      s,
    ],
    chain: devnet.chain,
    account: relayer.account,
  })
  await devnet.publicClient.waitForTransactionReceipt({ hash, pollingInterval: 20 })
  return hash
}

/** The `exact` requirements of 0.01 devnet USDC to `payTo`, as a gate quotes them. */
export function usdcRequirements(devnet: Devnet, payTo: Address): PaymentRequirements {
  return {
    scheme: 'exact',
    network: devnet.network,
    asset: devnet.tokens.usdc.address,
    amount: '10000',
    payTo,
    maxTimeoutSeconds: 300,
    extra: { name: 'USD Coin', version: '2' },
  }
}
