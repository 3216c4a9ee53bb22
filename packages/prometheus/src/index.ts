/**
 * @module @tollgate/prometheus
 * Prometheus metrics for Tollgate gates, fed by the gate's hooks: payments, revenue, rejections,
 * verification and settlement latency, RPC and store errors, and a handler that serves them.
 */
export { composeHooks } from './compose-hooks.js'
export { type CreateGateMetricsOptions, createGateMetrics, type GateMetrics } from './create-gate-metrics.js'
export type { MetricsHandler, MetricsRequest, MetricsResponse } from './create-metrics-handler.js'
