/**
 * @module @tollgate/core/test
 * Helpers for testing code built on Tollgate: the Store conformance suite.
 */
export {
  type ConformanceRunner,
  type DefineStoreConformanceOptions,
  defineStoreConformance,
} from './store-conformance.js'
