/**
 * @module @tollgate/core/test
 * Helpers for testing code built on Tollgate: the Store, Ledger and gate adapter conformance suites.
 */

export {
  type DefineGateConformanceOptions,
  defineGateConformance,
  type GateConformanceServer,
} from './gate-conformance.js'
export {
  defineLedgerConformance,
  type LedgerConformanceOptions,
  type LedgerConformanceRunner,
  type LedgerConformanceWorker,
} from './ledger-conformance.js'
export {
  type DefinePaidGateConformanceOptions,
  definePaidGateConformance,
  type HoldingRpc,
  type PaidConformanceChain,
  type PaidConformanceGate,
  type PaidConformanceHandler,
  type PaidConformanceRunner,
  type PaidConformanceScheme,
  type PaidConformanceServer,
} from './paid-gate-conformance.js'
export { type LedgerWorkerResult, type LedgerWorkerTask, runLedgerWorker } from './run-ledger-worker.js'
export {
  type ConformanceRunner,
  type DefineStoreConformanceOptions,
  defineStoreConformance,
} from './store-conformance.js'
