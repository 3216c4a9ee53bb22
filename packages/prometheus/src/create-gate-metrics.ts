import { type GateHooks, TollgateError } from '@tollgate/core'
import {
  Counter,
  Histogram,
  type PrometheusContentType,
  Registry,
  type RegistryContentType,
} from 'prom-client'
import { createMetricsHandler, type MetricsHandler } from './create-metrics-handler.js'

/** Options of {@link createGateMetrics}. */
export type CreateGateMetricsOptions<ContentType extends RegistryContentType = PrometheusContentType> = {
  /**
   * The prom-client registry to register the metrics in, such as prom-client's global `register`
   * to serve them next to your own. Default: a new registry used only by these metrics.
   */
  registry?: Registry<ContentType>
  /** Prepended to every metric name. Default `"tollgate_"`. */
  prefix?: string
}

/** Gate metrics: the hooks that feed them, the registry that holds them and a scrape handler. */
export type GateMetrics<ContentType extends RegistryContentType = PrometheusContentType> = {
  /** Pass to `createGate({ hooks })`, alone or through `composeHooks` next to your own hooks. */
  hooks: Required<GateHooks>
  /** The registry the metrics are registered in. */
  registry: Registry<ContentType>
  /** Serves the registry's exposition: `app.get('/metrics', metrics.handler)` or `createServer(metrics.handler)`. */
  handler: MetricsHandler
}

/** Verification latency from 1 ms (a cached or local check) to 10 s (an RPC timing out). */
const verificationBuckets = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10]
/** Settlement waits for a transaction to be mined: from 5 ms (a devnet) to a minute (a congested L1). */
const settlementBuckets = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60]
const metricNames = [
  'payments_total',
  'revenue_atomic_total',
  'rejections_total',
  'verification_duration_seconds',
  'settlement_duration_seconds',
  'rpc_errors_total',
  'store_errors_total',
] as const
const atomicAmount = /^\d{1,78}$/

/**
 * Creates Prometheus metrics for a gate, fed by the gate's hooks. Nothing is measured unless you
 * pass `metrics.hooks` to `createGate`. Every label is bounded: `route` is the route pattern
 * (`"GET /api/items/:id"`, never the raw path), `code` a stable error code, `network` a CAIP-2 id
 * and `asset` an address the gate offers.
 *
 * - `payments_total{route,scheme,network,asset,method}`: requests admitted, `method` `payment`
 *   or `pass` (`scheme`, `network` and `asset` are empty for passes).
 * - `revenue_atomic_total{route,scheme,network,asset}`: atomic units received. Prometheus values
 *   are float64: a series is exact up to 2^53 atomic units (9,007,199,254 USDC at 6 decimals, but
 *   only 0.009 of an 18-decimal token), approximate beyond. Use it for dashboards; the chain and
 *   your ledger are the source of truth for money.
 * - `rejections_total{route,code}`: payments and passes refused, or not checkable (`rpc_unavailable`,
 *   `store_unavailable`). A plain first 402 to an unpaid request is not a rejection.
 * - `verification_duration_seconds{scheme,network,outcome}`: time to verify a payment on chain;
 *   `outcome` is `success`, `rejected` (the payment was refused, a 4xx code) or `error` (it could not
 *   be checked, a 5xx code).
 * - `settlement_duration_seconds{network,outcome}`: x402 `exact` settlements, `success` or `failure`.
 * - `rpc_errors_total{network}`: verifications that ended in `rpc_unavailable`.
 * - `store_errors_total`: requests refused with `store_unavailable`.
 *
 * @example
 * import express from 'express'
 * import { createGate } from '@tollgate/core'
 * import { tollgate } from '@tollgate/express'
 * import { createGateMetrics } from '@tollgate/prometheus'
 *
 * const metrics = createGateMetrics()
 * const app = express()
 * app.get('/metrics', metrics.handler)
 * app.use(tollgate(createGate({ routes, payTo, networks, secret, hooks: metrics.hooks })))
 * @throws {TollgateError} `config_invalid` when `prefix` is not a valid metric name prefix, or a
 * metric of the same name is already registered in `registry`
 */
export function createGateMetrics<ContentType extends RegistryContentType = PrometheusContentType>(
  options: CreateGateMetricsOptions<ContentType> = {},
): GateMetrics<ContentType> {
  const prefix = options.prefix ?? 'tollgate_'
  if (!/^([a-zA-Z_:][a-zA-Z0-9_:]*)?$/.test(prefix)) {
    throw new TollgateError('config_invalid', `"${prefix}" is not a valid Prometheus metric name prefix.`)
  }
  const registry = options.registry ?? (new Registry() as Registry<ContentType>)
  // Checked up front so a clash registers nothing, rather than half of the metrics.
  for (const name of metricNames) {
    if (registry.getSingleMetric(prefix + name) !== undefined) {
      throw new TollgateError(
        'config_invalid',
        `A metric named "${prefix + name}" is already registered: use another prefix or registry.`,
      )
    }
  }
  // prom-client types `registers` per content type; the registry's own type is whichever it was made with.
  const registers = [registry as Registry]

  const payments = new Counter({
    name: `${prefix}payments_total`,
    help: 'Requests admitted by payment or pass.',
    labelNames: ['route', 'scheme', 'network', 'asset', 'method'] as const,
    registers,
  })
  const revenue = new Counter({
    name: `${prefix}revenue_atomic_total`,
    help: 'Atomic units of the asset received (float64: exact up to 2^53 per series; the chain is the source of truth).',
    labelNames: ['route', 'scheme', 'network', 'asset'] as const,
    registers,
  })
  const rejections = new Counter({
    name: `${prefix}rejections_total`,
    help: 'Payments and passes refused, or that could not be checked, by error code.',
    labelNames: ['route', 'code'] as const,
    registers,
  })
  const verification = new Histogram({
    name: `${prefix}verification_duration_seconds`,
    help: 'Time to verify a payment; outcome is success, rejected (4xx) or error (5xx).',
    labelNames: ['scheme', 'network', 'outcome'] as const,
    buckets: verificationBuckets,
    registers,
  })
  const settlement = new Histogram({
    name: `${prefix}settlement_duration_seconds`,
    help: 'Time to settle an x402 exact payment; outcome is success or failure.',
    labelNames: ['network', 'outcome'] as const,
    buckets: settlementBuckets,
    registers,
  })
  const rpcErrors = new Counter({
    name: `${prefix}rpc_errors_total`,
    help: 'Payment verifications that ended in rpc_unavailable.',
    labelNames: ['network'] as const,
    registers,
  })
  const storeErrors = new Counter({
    name: `${prefix}store_errors_total`,
    help: 'Requests refused with store_unavailable.',
    registers,
  })

  const hooks: Required<GateHooks> = {
    onPayment: ({ receipt }) => {
      const labels = {
        route: receipt.route,
        scheme: receipt.scheme ?? '',
        network: receipt.network ?? '',
        asset: receipt.asset ?? '',
      }
      payments.inc({ ...labels, method: receipt.method })
      if (receipt.method === 'payment' && receipt.amount !== undefined && atomicAmount.test(receipt.amount)) {
        // Rounds to the nearest float64 above 2^53 atomic units: see the function's documentation.
        const amount = Number(receipt.amount)
        if (amount > 0) revenue.inc(labels, amount)
      }
    },
    onReject: ({ error, route }) => {
      rejections.inc({ route, code: error.code })
      if (error.code === 'store_unavailable') storeErrors.inc()
    },
    onVerify: ({ scheme, network, durationMs, error }) => {
      const outcome = error === undefined ? 'success' : error.status >= 500 ? 'error' : 'rejected'
      verification.observe({ scheme, network, outcome }, seconds(durationMs))
      if (error?.code === 'rpc_unavailable') rpcErrors.inc({ network })
    },
    onSettle: ({ network, durationMs, response }) => {
      settlement.observe({ network, outcome: response.success ? 'success' : 'failure' }, seconds(durationMs))
    },
  }

  return { hooks, registry, handler: createMetricsHandler(registry) }
}

// A clock that steps back (the gate's `now` is wall time) must not record a negative duration.
function seconds(milliseconds: number): number {
  return Number.isFinite(milliseconds) && milliseconds > 0 ? milliseconds / 1000 : 0
}
