import type { AssetInfo } from '../chains/types.js'
import type { PaymentRequirements } from '../protocol/types.js'

/** A cost beyond the payment itself that a wallet asks permission for (such as creating a token account). */
export type ExtraCost = {
  /** Why, for logs and the approval callback: `"create_token_account"`. */
  reason: string
  /** CAIP-2 network. */
  network: string
  /** Asset of the cost (usually `"native"`). */
  asset: string
  /** Atomic units. */
  amount: bigint
}

/** The input of {@link Wallet.sendTransfer}. */
export type SendTransferInput = {
  /** The `tx` requirements being paid (amount, asset, payTo, network). */
  requirements: PaymentRequirements
  /** The asset, from the client's own registry (never from the server). */
  asset: AssetInfo
  /** Asks the client's policy whether an extra cost is acceptable; false means do not pay. */
  approveExtraCost(cost: ExtraCost): Promise<boolean>
  /**
   * Called with the signed transfer's id after signing and before sending; the send waits for it.
   * The client records the id durably here, so a transfer can never exist without a record of it.
   * A rejection aborts the send: nothing is broadcast.
   */
  onSigned?(transfer: SignedTransfer): Promise<void>
  /** Aborts the call. */
  signal?: AbortSignal
}

/** A transfer that is signed and may be broadcast: what {@link SendTransferInput.onSigned} receives. */
export type SignedTransfer = {
  /** The transaction id: the keccak-256 hash of the raw transaction on EVM, the signature on Solana. */
  transaction: string
  /** The signed transaction as sent (hex on EVM), so it can be sent again after a crash; public data. */
  raw?: string
}

/** The input of {@link Wallet.confirmTransfer}. */
export type ConfirmTransferInput = {
  requirements: PaymentRequirements
  /** The transaction id from {@link Wallet.sendTransfer}. */
  transaction: string
  /** Confirmations to wait for, counting the transaction's own block. */
  confirmations: number
  /** Give up after this many milliseconds. */
  timeoutMs: number
  /** The signed transaction ({@link SignedTransfer.raw}); sent again while the node does not know it. */
  raw?: string
  signal?: AbortSignal
}

/** The input of {@link Wallet.authorize}. */
export type AuthorizeInput = {
  /** The `exact` requirements being paid. */
  requirements: PaymentRequirements
  asset: AssetInfo
  /** Current time in milliseconds, from the client's clock. */
  now: number
  /**
   * Seconds from `now` the authorization stays valid (its `validBefore`), chosen by the client: the
   * server's `maxTimeoutSeconds` capped by the client's own limit. Default `requirements.maxTimeoutSeconds`.
   */
  validForSeconds?: number
  /**
   * The MPP challenge this authorization answers: the wallet binds its nonce to it as the chain's
   * MPP method says (EVM `charge`: `keccak256(utf8(id + realm))`). Default: a random nonce.
   */
  mppChallenge?: { id: string; realm: string }
  signal?: AbortSignal
}

/** The input of {@link Wallet.authorizationState}. */
export type AuthorizationStateInput = {
  /** CAIP-2 network. */
  network: string
  /** The token contract the authorization is for. */
  asset: string
  /** The authorizer (`authorization.from`). */
  authorizer: string
  /** The EIP-3009 nonce (`authorization.nonce`). */
  nonce: string
  signal?: AbortSignal
}

/** What the chain says about an authorization: see {@link Wallet.authorizationState}. */
export type AuthorizationState = {
  /** Whether the nonce was used or cancelled on chain: `authorizationState(authorizer, nonce)`. */
  used: boolean
  /** Timestamp of the latest block, in unix seconds: once past `validBefore`, an unused authorization never moves money. */
  chainTime: number
}

/**
 * A wallet the client pays from. Chain packages implement it (`evmWallet()` in
 * `@tollgate/core/evm`, `solanaWallet()` in `@tollgate/core/solana`). A wallet signs what the
 * client hands it and never exposes key material: not in return values, errors or logs.
 */
export type Wallet = {
  readonly specificationVersion: 'v1'
  /** Whether this wallet can pay `requirements` (scheme, network, asset). Offline and cheap. */
  supports(requirements: PaymentRequirements): boolean
  /** The paying address on a network. */
  address(network: string): string
  /**
   * `tx`: broadcasts a transfer of `requirements.amount` of the asset to `requirements.payTo`.
   * Resolves as soon as the transaction id is known (before confirmation), so the client can
   * record it before anything else can fail.
   */
  sendTransfer?(input: SendTransferInput): Promise<{ transaction: string }>
  /**
   * `tx`: waits until the transfer has the confirmations and succeeded; returns lookup hints for
   * the proof payload (such as `blockNumber`). Throws `payment_failed` if it reverted.
   */
  confirmTransfer?(input: ConfirmTransferInput): Promise<{ hints: Record<string, unknown> }>
  /** `tx`: signs a proof message (see `createProofMessage`) with the key that paid. */
  signProof?(input: { network: string; message: string }): Promise<string>
  /** `exact`: signs an authorization and returns the scheme payload (`{ signature, authorization }`). */
  authorize?(input: AuthorizeInput): Promise<Record<string, unknown>>
  /**
   * `exact`: reads whether an authorization was used or cancelled on chain and the chain's time, so
   * the client releases budget only for an authorization that provably can no longer move money.
   * Without it, an `exact` reservation whose outcome is unknown is never released.
   */
  authorizationState?(input: AuthorizationStateInput): Promise<AuthorizationState>
  /**
   * Reads a token's EIP-712 domain `name` and `version` from the chain (EIP-5267 `eip712Domain()`,
   * else `name()` and `version()`), for a payment whose request does not carry them (an MPP
   * challenge) when the client's registry does not list them. The token's own answer, never a
   * server's.
   */
  tokenDomain?(input: {
    network: string
    asset: string
    signal?: AbortSignal
  }): Promise<{ name: string; version: string }>
  /** Atomic units of `asset` the wallet holds, to skip options it cannot afford. */
  balance?(network: string, asset: string): Promise<bigint>
}
