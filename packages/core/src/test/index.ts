/**
 * @module @tollgate/core/test
 * Helpers for testing code built on Tollgate: the Store and gate adapter conformance suites.
 */

export {
  type DefineGateConformanceOptions,
  defineGateConformance,
  type GateConformanceServer,
} from './gate-conformance.js'
export {
  type ConformanceRunner,
  type DefineStoreConformanceOptions,
  defineStoreConformance,
} from './store-conformance.js'
