/**
 * @module @tollgate/core
 * HTTP 402 payments for AI agents and APIs: exact money math, the x402 v2 wire, the chain
 * registry, passes and challenges, the gate and the paying client. Web standards only: this
 * entry imports no chain library and no `node:` module. Chain code lives in
 * `@tollgate/core/evm` and `@tollgate/core/solana`.
 */

// Money
export { MAX_UINT256 } from './amount/constants.js'
export { formatAmount } from './amount/format-amount.js'
export { parseAmount } from './amount/parse-amount.js'
export { parseAtomicAmount } from './amount/parse-atomic-amount.js'
export { addressKey } from './chains/address-key.js'
// Chains
export {
  type ChainRegistry,
  type CreateChainRegistryOptions,
  createChainRegistry,
} from './chains/create-chain-registry.js'
export { defaultAssets, defaultChains, SOLANA_DEVNET, SOLANA_MAINNET } from './chains/default-chains.js'
export { isNetwork } from './chains/is-network.js'
export { sameAddress } from './chains/same-address.js'
export {
  type AssetInfo,
  type ChainFamily,
  type ChainInfo,
  NATIVE_ASSET,
  type Network,
} from './chains/types.js'
// Keys, passes, challenges, routes
export type { ChallengeClaims, ChallengePayload } from './challenge/challenge-payload.js'
export { type IssueChallengeOptions, issueChallenge } from './challenge/issue-challenge.js'
export { type VerifyChallengeOptions, verifyChallenge } from './challenge/verify-challenge.js'
export type { ClientPreferences, PaymentProtocol } from './client/choose-requirements.js'
// The paying client
export {
  type Client,
  type ClientEvent,
  type ClientFetchOptions,
  type CreateClientOptions,
  createClient,
  type PaymentInfo,
  type PaymentLifecycleEvent,
  type PayOptions,
  type PendingPayment,
} from './client/create-client.js'
// Discovery
export type {
  DiscoveryBuildOptions,
  DiscoveryOptions,
  GateDiscovery,
  JsonSchema,
  OpenApiDocument,
  PaymentInfoOffer,
  PriceOption,
  RouteDiscovery,
  RoutePrice,
  ServiceInfo,
  WellKnownX402,
} from './discovery/types.js'
// Errors
export { errorStatus, type TollgateErrorCode } from './errors/error-codes.js'
export { statusForCode, TollgateError, type TollgateErrorOptions } from './errors/tollgate-error.js'
// The gate
export { createGate } from './gate/create-gate.js'
export type { KeptResponse } from './gate/keep-response.js'
export {
  type RunPaidHandlerOptions,
  type RunPaidHandlerResult,
  runPaidHandler,
} from './gate/run-paid-handler.js'
export { type FetchHandler, type ToFetchHandlerOptions, toFetchHandler } from './gate/to-fetch-handler.js'
export type {
  CreateGateOptions,
  Gate,
  GateCompletion,
  GateContext,
  GateDecision,
  GateFree,
  GateHooks,
  GateLogger,
  GatePaid,
  GateRejected,
  GateRequest,
  PassOffer,
  PaymentReceipt,
  PriceResult,
  RouteConfig,
} from './gate/types.js'
export {
  type CreateKeyringOptions,
  createKeyring,
  type KeyInput,
  type Keyring,
} from './keyring/create-keyring.js'
// Ledger backends (memory here; file in ./node; SQLite and Redis in their packages) share these rules.
export { assertHold } from './ledger/assert-hold.js'
export { assertReserveRequest } from './ledger/assert-reserve-request.js'
export { createLedgerIndex, type LedgerIndex } from './ledger/create-ledger-index.js'
export { type CreateMemoryLedgerOptions, createMemoryLedger } from './ledger/create-memory-ledger.js'
export { type EncodeLedgerRecordResult, encodeLedgerRecord } from './ledger/encode-ledger-record.js'
export { type EncodedLedgerSpend, encodeLedgerSpend } from './ledger/encode-ledger-spend.js'
export { isFinalRejection } from './ledger/is-final-rejection.js'
export { measureUsage } from './ledger/measure-usage.js'
export { parseLedgerRecord } from './ledger/parse-ledger-record.js'
export { parseLedgerSpend } from './ledger/parse-ledger-spend.js'
export type {
  AuthorizationMatch,
  Ledger,
  LedgerCharge,
  LedgerHold,
  LedgerLimit,
  LedgerPass,
  LedgerRecord,
  LedgerRecordType,
  LedgerReserveRequest,
  LedgerReserveResult,
  LedgerSpend,
  LedgerSpendStatus,
  LedgerSpendsQuery,
  LedgerUsage,
  TransferMatch,
} from './ledger/types.js'
// MPP: the HTTP `Payment` auth scheme (draft-httpauth-payment)
export { buildPaymentChallenge } from './mpp/build-payment-challenge.js'
export { canonicalizeJson } from './mpp/canonicalize-json.js'
export { decodeBase64UrlJson } from './mpp/decode-base64url-json.js'
export { decodeMppChargeRequest } from './mpp/decode-mpp-charge-request.js'
export { decodePaymentCredential } from './mpp/decode-payment-credential.js'
export { decodePaymentReceipt } from './mpp/decode-payment-receipt.js'
export { encodeBase64UrlJson } from './mpp/encode-base64url-json.js'
export { encodeMppChargeRequest } from './mpp/encode-mpp-charge-request.js'
export { encodePaymentCredential } from './mpp/encode-payment-credential.js'
export { encodePaymentReceipt } from './mpp/encode-payment-receipt.js'
export { hasPaymentScheme } from './mpp/has-payment-scheme.js'
export { type AuthChallenge, parseAuthChallenges } from './mpp/parse-auth-challenges.js'
export { parseEvmAuthorizationPayload } from './mpp/parse-evm-authorization-payload.js'
export {
  type ParsedPaymentChallenges,
  type ParsePaymentChallengesOptions,
  parsePaymentChallenges,
} from './mpp/parse-payment-challenges.js'
export { parseRfc3339 } from './mpp/parse-rfc3339.js'
export { quoteAuthParam } from './mpp/quote-auth-param.js'
export {
  MPP_PROBLEM_BASE,
  type MppChallenge,
  type MppCredential,
  type MppEvmAuthorizationPayload,
  type MppEvmChargeRequest,
  type MppReceipt,
  mppHeaderNames,
  PAYMENT_SCHEME,
} from './mpp/types.js'
export {
  type EncodePassClaims,
  type EncodePassOptions,
  type EncodePassResult,
  encodePass,
} from './pass/encode-pass.js'
export type { PassRequest } from './pass/find-scope-mismatch.js'
export type { IssuedPass } from './pass/issued-pass.js'
export { passCoversRequest } from './pass/pass-covers-request.js'
export type { PassPayload, PassScope } from './pass/pass-payload.js'
export { type SafeVerifyPassResult, safeVerifyPass } from './pass/safe-verify-pass.js'
export { type VerifyPassOptions, verifyPass } from './pass/verify-pass.js'
export { type CreateSpendingPolicyOptions, createSpendingPolicy } from './policy/create-spending-policy.js'
export type {
  Money,
  PolicyCheckResult,
  PolicyDeclineEvent,
  PolicyPayment,
  PolicyPaymentEvent,
  PolicyQuote,
  PolicyRateLimit,
  PolicyWindow,
  Reservation,
  ReservationReference,
  ReserveOptions,
  SpendingPolicy,
  SpendingReport,
  SpendingReportAsset,
  SpendingReportReserved,
} from './policy/types.js'
export { type AssetAmountPrice, type ParsedPrice, type Price, parsePrice } from './price/parse-price.js'
export { type PriceQuote, type QuotePriceOptions, quotePrice } from './price/quote-price.js'
// The x402 v2 wire
export { type CreateErrorResponseOptions, createErrorResponse } from './protocol/create-error-response.js'
export {
  type CreatePaymentRequiredResponseOptions,
  createPaymentRequiredResponse,
} from './protocol/create-payment-required-response.js'
export type { DecodeHeaderOptions } from './protocol/decode-json-header.js'
export { DEFAULT_MAX_HEADER_BYTES, headerNames } from './protocol/headers.js'
export { parsePaymentRequired } from './protocol/parse-payment-required.js'
export { parseSettleResponse } from './protocol/parse-settle-response.js'
export {
  createPaymentIdentifier,
  declarePaymentIdentifier,
  isPaymentIdentifier,
  PAYMENT_IDENTIFIER,
  type PaymentIdentifierExtension,
  readPaymentIdentifier,
  withPaymentIdentifier,
} from './protocol/payment-identifier.js'
export {
  decodePaymentRequiredHeader,
  encodePaymentRequiredHeader,
} from './protocol/payment-required-header.js'
export {
  decodePaymentResponseHeader,
  encodePaymentResponseHeader,
} from './protocol/payment-response-header.js'
export {
  decodePaymentSignatureHeader,
  decodeXPaymentHeader,
  encodePaymentSignatureHeader,
  encodeXPaymentHeader,
} from './protocol/payment-signature-header.js'
export {
  type ReadPaymentRequiredOptions,
  type ReadPaymentRequiredResult,
  readPaymentRequired,
} from './protocol/read-payment-required.js'
export type {
  PaymentPayload,
  PaymentPayloadV1,
  PaymentRequired,
  PaymentRequirements,
  PaymentRequirementsV1,
  ResourceInfo,
  SettleResponse,
} from './protocol/types.js'
export { networkFromV1 } from './protocol/v1-networks.js'
export { compareRouteSpecificity } from './route/compare-route-specificity.js'
export { matchRoute } from './route/match-route.js'
export { parseRoutePattern, type RoutePattern, type RouteSegment } from './route/parse-route-pattern.js'
// Plug-in contracts for chain packages
export type {
  ExactInput,
  ExactScheme,
  ExactSettleHooks,
  ExactSettlementQuery,
  ExactSettlementStatus,
  PaymentNetwork,
  RecoverSignerInput,
  TxVerifier,
  VerifiedTransfer,
  VerifyTransferInput,
} from './scheme/types.js'
export type {
  AuthorizationState,
  AuthorizationStateInput,
  AuthorizeInput,
  ConfirmTransferInput,
  ExtraCost,
  SendTransferInput,
  SignedTransfer,
  Wallet,
} from './scheme/wallet.js'
// Stores
export { assertClaimValue } from './store/assert-claim-value.js'
export { assertTokenBucket } from './store/assert-token-bucket.js'
export { decodeClaimEntry } from './store/decode-claim-entry.js'
export { encodeClaimEntry } from './store/encode-claim-entry.js'
export { type CreateMemoryStoreOptions, createMemoryStore } from './store/memory-store.js'
export type {
  ClaimEntry,
  ClaimOptions,
  ClaimResult,
  ClaimState,
  CommitOptions,
  Store,
  TakeResult,
  TokenBucket,
} from './store/types.js'
// Paid endpoints as agent tools (shared by the LangChain, AI SDK and MCP adapters)
export { type CallPaidEndpointOptions, callPaidEndpoint } from './tools/call-paid-endpoint.js'
export { type CompiledPaidEndpoint, compilePaidEndpoint } from './tools/compile-paid-endpoint.js'
export { describePaymentProblem } from './tools/describe-payment-problem.js'
export type {
  PaidCallResult,
  PaidEndpoint,
  PaidEndpointClient,
  PaidEndpointParameter,
  PaymentProblem,
  ZodSchemaLike,
} from './tools/types.js'
export { type CreateProofMessageOptions, createProofMessage } from './tx/create-proof-message.js'
