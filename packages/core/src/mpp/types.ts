/**
 * Types of the HTTP `Payment` authentication scheme (the IETF draft `draft-httpauth-payment`,
 * known as MPP) and of its EVM `charge` method.
 */

/** The MPP header names. Header names are case-insensitive. */
export const mppHeaderNames = {
  /** The 402's challenges: `WWW-Authenticate: Payment id="…", realm="…", …`. */
  wwwAuthenticate: 'WWW-Authenticate',
  /** The client's credential: `Authorization: Payment <base64url JSON>`. */
  authorization: 'Authorization',
  /** The paid answer's receipt: base64url JSON. */
  paymentReceipt: 'Payment-Receipt',
  /** The client's preferences, such as `evm/charge, solana/charge;q=0.5`. */
  acceptPayment: 'Accept-Payment',
} as const

/** The auth scheme name, compared case-insensitively. */
export const PAYMENT_SCHEME = 'Payment'

/** The base URI of the draft's problem types (`…/payment-required`, `…/invalid-challenge`). */
export const MPP_PROBLEM_BASE = 'https://paymentauth.org/problems/'

/** One `Payment` challenge, as sent in `WWW-Authenticate` and echoed in a credential. */
export type MppChallenge = {
  /** The challenge id, bound by the server to the other parameters (non-empty). */
  id: string
  /** The protection space, such as the server's origin. */
  realm: string
  /** The payment method, lowercase letters, such as `evm`. */
  method: string
  /** The payment intent, such as `charge`. */
  intent: string
  /** The method's request: base64url of canonical (RFC 8785) JSON, no padding. */
  request: string
  /** When the challenge expires, an RFC 3339 date-time. */
  expires?: string
  /** Human-readable purpose, for display only. */
  description?: string
  /** Content digest of the request body (RFC 9530). */
  digest?: string
  /** Server correlation data: base64url of canonical JSON. */
  opaque?: string
}

/** The `request` of the EVM `charge` method (amounts in atomic units). */
export type MppEvmChargeRequest = {
  /** Amount in atomic units, a canonical decimal integer string. */
  amount: string
  /** The ERC-20 token address. */
  currency: string
  /** The recipient address. */
  recipient: string
  /** Human-readable description. */
  description?: string
  /** The merchant's reference. */
  externalId?: string
  /** EVM details. */
  methodDetails: {
    /** EIP-155 chain id. */
    chainId: number
    /** Accepted credential types in order of preference, such as `["authorization"]`. */
    credentialTypes?: string[]
    /** The token's decimals, for display. */
    decimals?: number
    /** The Permit2 contract, when `permit2` is accepted. */
    permit2Address?: string
  }
}

/** A `Payment` credential: the echoed challenge, the method's proof and the payer. */
export type MppCredential = {
  /** The challenge the client answers, echoed unchanged. */
  challenge: MppChallenge
  /** The method-specific proof. */
  payload: Record<string, unknown>
  /** The payer, such as `did:pkh:eip155:8453:0x…`. */
  source?: string
}

/** The EVM `charge` proof of type `authorization`: a signed EIP-3009 `TransferWithAuthorization`. */
export type MppEvmAuthorizationPayload = {
  type: 'authorization'
  /** Payer address. */
  from: string
  /** Recipient address. */
  to: string
  /** Atomic amount, a canonical decimal integer string. */
  value: string
  /** Unix seconds, a decimal integer string. */
  validAfter: string
  /** Unix seconds, a decimal integer string. */
  validBefore: string
  /** bytes32 hex, the challenge-bound nonce. */
  nonce: string
  /** The EIP-712 signature, 0x-prefixed hex. */
  signature: string
}

/** A `Payment-Receipt`: sent only with a successful, paid answer. */
export type MppReceipt = {
  /** Always `success`. */
  status: 'success'
  /** The payment method, such as `evm`. */
  method: string
  /** The settlement time, RFC 3339. */
  timestamp: string
  /** The method's reference, for EVM the settlement transaction hash. */
  reference: string
  /** The challenge that was paid. */
  challengeId?: string
  /** EIP-155 chain id of the settlement. */
  chainId?: number
  /** The merchant's reference, echoed from the request. */
  externalId?: string
}
