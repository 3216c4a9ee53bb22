/**
 * @module @tollgate/core/test
 * Helpers for testing code built on Tollgate: the Store and Ledger conformance suites.
 */
export {
  defineLedgerConformance,
  type LedgerConformanceOptions,
  type LedgerConformanceRunner,
  type LedgerConformanceWorker,
} from './ledger-conformance.js'
export { type LedgerWorkerResult, type LedgerWorkerTask, runLedgerWorker } from './run-ledger-worker.js'
export {
  type ConformanceRunner,
  type DefineStoreConformanceOptions,
  defineStoreConformance,
} from './store-conformance.js'
