import { describe, expect, test } from 'vitest'

// Adding a name to an entry point is an API decision: this snapshot makes it visible in review.
describe('public API', () => {
  test('@tollgate/core', async () => {
    expect(Object.keys(await import('../src/index.js')).sort()).toMatchInlineSnapshot(`
      [
        "DEFAULT_MAX_HEADER_BYTES",
        "MAX_UINT256",
        "NATIVE_ASSET",
        "PAYMENT_IDENTIFIER",
        "SOLANA_DEVNET",
        "SOLANA_MAINNET",
        "TollgateError",
        "addressKey",
        "assertClaimValue",
        "assertHold",
        "assertReserveRequest",
        "assertTokenBucket",
        "callPaidEndpoint",
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
        "decodeClaimEntry",
        "decodePaymentRequiredHeader",
        "decodePaymentResponseHeader",
        "decodePaymentSignatureHeader",
        "decodeXPaymentHeader",
        "defaultAssets",
        "defaultChains",
        "describePaymentProblem",
        "encodeClaimEntry",
        "encodeLedgerRecord",
        "encodeLedgerSpend",
        "encodePass",
        "encodePaymentRequiredHeader",
        "encodePaymentResponseHeader",
        "encodePaymentSignatureHeader",
        "encodeXPaymentHeader",
        "errorStatus",
        "formatAmount",
        "headerNames",
        "isFinalRejection",
        "isNetwork",
        "isPaymentIdentifier",
        "issueChallenge",
        "matchRoute",
        "measureUsage",
        "networkFromV1",
        "parseAmount",
        "parseAtomicAmount",
        "parseLedgerRecord",
        "parseLedgerSpend",
        "parsePaymentRequired",
        "parsePrice",
        "parseRoutePattern",
        "parseSettleResponse",
        "passCoversRequest",
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
