/**
 * @module @tollgate/test-support
 * The devnet helpers the packages' tests share, built on the public APIs of `@tollgate/core`,
 * `@tollgate/core/evm` and `@tollgate/testkit` (and `startDemoApi` of `@tollgate/demo-api`,
 * passed in): registries for the devnet's USDC-like tokens, wallets and clients for devnet
 * accounts, `tx` transfers and their proof headers, balances and on-chain transfers, and the demo
 * API on a devnet. Private, never built: packages import its TypeScript source in their tests.
 * `@tollgate/core` keeps its own copy in `test/support`, as depending on this package would make a
 * cycle.
 */
export { balanceOf, transfersOnChain, usdcBalance } from './chain-queries.js'
export { compileScript } from './compile-script.js'
export { devnetRegistry, usdcRegistry } from './devnet-registry.js'
export { exactHeader, mppCredential } from './exact-payment.js'
export { holdingRpcProxy } from './holding-rpc-proxy.js'
export { type LossyPaidApi, lossyPayer, startLossyPaidApi } from './lossy-paid-api.js'
export { paidConformanceChain } from './paid-conformance-chain.js'
export { type PaidConformanceChainData, paidConformanceGateOptions } from './paid-conformance-gate.js'
export { sendRaw, statusOf } from './send-raw.js'
export { serveFetch } from './serve-fetch.js'
export { spawnLedgerWorker } from './spawn-ledger-worker.js'
export {
  type Demo,
  type DemoApiLike,
  type DemoApiOptions,
  type StartDemoOptions,
  startDemo,
} from './start-demo.js'
export { payWithTx, proofHeader, transfer } from './tx-payment.js'
export { clientFor, walletOf } from './wallets.js'
