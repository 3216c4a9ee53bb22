import { describe, expect, test } from 'vitest'

// Adding a name to an entry point is an API decision: this snapshot makes it visible in review.
describe('public API', () => {
  test('@tollgate/core', async () => {
    expect(Object.keys(await import('../src/index.js')).sort()).toMatchInlineSnapshot(`
      [
        "DEFAULT_MAX_HEADER_BYTES",
        "MAX_UINT256",
        "NATIVE_ASSET",
        "SOLANA_DEVNET",
        "SOLANA_MAINNET",
        "TollgateError",
        "addressKey",
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
        "createPaymentRequiredResponse",
        "createProofMessage",
        "createSpendingPolicy",
        "decodePaymentRequiredHeader",
        "decodePaymentResponseHeader",
        "decodePaymentSignatureHeader",
        "decodeXPaymentHeader",
        "defaultAssets",
        "defaultChains",
        "describePaymentProblem",
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
        "issueChallenge",
        "matchRoute",
        "measureUsage",
        "networkFromV1",
        "parseAmount",
        "parseAtomicAmount",
        "parseLedgerRecord",
        "parseLedgerSpend",
        "parsePrice",
        "parseRoutePattern",
        "passCoversRequest",
        "quotePrice",
        "readPaymentRequired",
        "safeVerifyPass",
        "sameAddress",
        "statusForCode",
        "verifyChallenge",
        "verifyPass",
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
        "defineLedgerConformance",
        "defineStoreConformance",
        "runLedgerWorker",
      ]
    `)
  })
})
