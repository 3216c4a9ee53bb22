import { describe, expect, test } from 'vitest'

// Adding a name to an entry point is an API decision: this snapshot makes it visible in review.
describe('public API', () => {
  test('@tollgate/core', async () => {
    expect(Object.keys(await import('../src/index.js')).sort()).toMatchInlineSnapshot(`
      [
        "DEFAULT_MAX_HEADER_BYTES",
        "MAX_UINT256",
        "MPP_PROBLEM_BASE",
        "NATIVE_ASSET",
        "PAYMENT_IDENTIFIER",
        "PAYMENT_SCHEME",
        "SOLANA_DEVNET",
        "SOLANA_MAINNET",
        "TollgateError",
        "addressKey",
        "assertClaimValue",
        "assertHold",
        "assertReserveRequest",
        "assertTokenBucket",
        "buildPaymentChallenge",
        "callPaidEndpoint",
        "canonicalizeJson",
        "compareRouteSpecificity",
        "compilePaidEndpoint",
        "createChainRegistry",
        "createClient",
        "createErrorResponse",
        "createGate",
        "createKeyring",
        "createLedgerIndex",
        "createMemoryLedger",
        "createMemoryStore",
        "createPaymentIdentifier",
        "createPaymentRequiredResponse",
        "createProofMessage",
        "createSpendingPolicy",
        "declarePaymentIdentifier",
        "decodeBase64UrlJson",
        "decodeClaimEntry",
        "decodeMppChargeRequest",
        "decodePaymentCredential",
        "decodePaymentReceipt",
        "decodePaymentRequiredHeader",
        "decodePaymentResponseHeader",
        "decodePaymentSignatureHeader",
        "decodeXPaymentHeader",
        "defaultAssets",
        "defaultChains",
        "describePaymentProblem",
        "encodeBase64UrlJson",
        "encodeClaimEntry",
        "encodeLedgerRecord",
        "encodeLedgerSpend",
        "encodeMppChargeRequest",
        "encodePass",
        "encodePaymentCredential",
        "encodePaymentReceipt",
        "encodePaymentRequiredHeader",
        "encodePaymentResponseHeader",
        "encodePaymentSignatureHeader",
        "encodeXPaymentHeader",
        "errorStatus",
        "formatAmount",
        "hasPaymentScheme",
        "headerNames",
        "isFinalRejection",
        "isNetwork",
        "isPaymentIdentifier",
        "issueChallenge",
        "matchRoute",
        "measureUsage",
        "mppHeaderNames",
        "networkFromV1",
        "parseAmount",
        "parseAtomicAmount",
        "parseAuthChallenges",
        "parseEvmAuthorizationPayload",
        "parseLedgerRecord",
        "parseLedgerSpend",
        "parsePaymentChallenges",
        "parsePaymentRequired",
        "parsePrice",
        "parseRfc3339",
        "parseRoutePattern",
        "parseSettleResponse",
        "passCoversRequest",
        "quoteAuthParam",
        "quotePrice",
        "readPaymentIdentifier",
        "readPaymentRequired",
        "runPaidHandler",
        "safeVerifyPass",
        "sameAddress",
        "statusForCode",
        "toFetchHandler",
        "verifyChallenge",
        "verifyPass",
        "withPaymentIdentifier",
      ]
    `)
  })

  test('@tollgate/core/evm', async () => {
    expect(Object.keys(await import('../src/evm/index.js')).sort()).toMatchInlineSnapshot(`
      [
        "createEvmExactScheme",
        "createEvmTxVerifier",
        "createFacilitator",
        "createFacilitatorClient",
        "createJsonRpc",
        "evmNetwork",
        "evmWallet",
        "mppChallengeNonce",
        "toPaidToolsClient",
      ]
    `)
  })

  test('@tollgate/core/node', async () => {
    expect(Object.keys(await import('../src/node/index.js')).sort()).toMatchInlineSnapshot(`
      [
        "createFileLedger",
      ]
    `)
  })

  test('@tollgate/core/test', async () => {
    expect(Object.keys(await import('../src/test/index.js')).sort()).toMatchInlineSnapshot(`
      [
        "defineGateConformance",
        "defineLedgerConformance",
        "definePaidGateConformance",
        "defineStoreConformance",
        "runLedgerWorker",
      ]
    `)
  })
})
