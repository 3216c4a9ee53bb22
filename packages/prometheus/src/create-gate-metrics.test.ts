import { type PaymentReceipt, TollgateError } from '@tollgate/core'
import { Counter, type OpenMetricsContentType, Registry } from 'prom-client'
import { describe, expect, test } from 'vitest'
import { createGateMetrics } from './create-gate-metrics.js'

const request = { method: 'GET', url: 'http://localhost/api/items/7', headers: new Headers() }
const route = 'GET /api/items/:id'
const network = 'eip155:8453'
const usdc = '0x833589fCD6eDb6E08f4c7C32D4f71b54bdA02913'

function payment(amount: string, overrides: Partial<PaymentReceipt> = {}): PaymentReceipt {
  return {
    method: 'payment',
    route,
    payer: '0xpayer',
    scheme: 'tx',
    network,
    asset: usdc,
    amount,
    ...overrides,
  }
}

/** The samples of a scrape (no comments, no buckets), one `name{labels} value` string each. */
async function samples(registry: { metrics(): Promise<string> }): Promise<string[]> {
  return (await registry.metrics()).split('\n').filter((line) => line !== '' && !line.startsWith('#'))
}

describe('createGateMetrics', () => {
  test('default: a registry of its own, every metric declared, nothing recorded', async () => {
    const metrics = createGateMetrics()
    expect(metrics.registry).toBeInstanceOf(Registry)
    expect(
      metrics.registry
        .getMetricsAsArray()
        .map((metric) => metric.name)
        .sort(),
    ).toMatchInlineSnapshot(`
      [
        "tollgate_payments_total",
        "tollgate_rejections_total",
        "tollgate_revenue_atomic_total",
        "tollgate_rpc_errors_total",
        "tollgate_settlement_duration_seconds",
        "tollgate_store_errors_total",
        "tollgate_verification_duration_seconds",
      ]
    `)
    expect(await samples(metrics.registry)).toEqual(['tollgate_store_errors_total 0'])
    // Two gates in one process may each have their own metrics.
    expect(() => createGateMetrics()).not.toThrow()
  })

  test('behavior: payments and passes count by method; revenue sums atomic units of payments only', async () => {
    const metrics = createGateMetrics()
    metrics.hooks.onPayment({ receipt: payment('1000'), request })
    metrics.hooks.onPayment({ receipt: payment('2500'), request })
    metrics.hooks.onPayment({
      receipt: { method: 'pass', route, payer: '0xpayer', passId: 'jti-1' },
      request,
    })
    expect(await samples(metrics.registry)).toMatchInlineSnapshot(`
      [
        "tollgate_payments_total{route="GET /api/items/:id",scheme="tx",network="eip155:8453",asset="0x833589fCD6eDb6E08f4c7C32D4f71b54bdA02913",method="payment"} 2",
        "tollgate_payments_total{route="GET /api/items/:id",scheme="",network="",asset="",method="pass"} 1",
        "tollgate_revenue_atomic_total{route="GET /api/items/:id",scheme="tx",network="eip155:8453",asset="0x833589fCD6eDb6E08f4c7C32D4f71b54bdA02913"} 3500",
        "tollgate_store_errors_total 0",
      ]
    `)
  })

  test('behavior: revenue is exact up to 2^53 atomic units, then rounds to float64', async () => {
    const metrics = createGateMetrics()
    metrics.hooks.onPayment({ receipt: payment('9007199254740991'), request })
    const exact = await metrics.registry.getSingleMetric('tollgate_revenue_atomic_total')!.get()
    expect(exact.values[0]?.value).toBe(2 ** 53 - 1)
    // One 18-decimal token is 10^18 atomic units: recorded, but only to float64 precision.
    metrics.hooks.onPayment({ receipt: payment('1000000000000000001', { asset: '0xother' }), request })
    const rounded = await metrics.registry.getSingleMetric('tollgate_revenue_atomic_total')!.get()
    expect(rounded.values[1]?.value).toBe(1e18)
  })

  test('behavior: a malformed or zero amount counts the payment but adds no revenue', async () => {
    const metrics = createGateMetrics()
    for (const amount of ['', '-5', '1.5', '0x10', '0']) {
      metrics.hooks.onPayment({ receipt: payment(amount), request })
    }
    const lines = await samples(metrics.registry)
    expect(lines.filter((line) => line.startsWith('tollgate_payments_total'))).toEqual([
      expect.stringMatching(/ 5$/),
    ])
    expect(lines.filter((line) => line.startsWith('tollgate_revenue'))).toEqual([])
  })

  test('behavior: rejections count by route and code; store_unavailable also counts as a store error', async () => {
    const metrics = createGateMetrics()
    for (const code of ['payment_already_used', 'payment_already_used', 'store_unavailable'] as const) {
      metrics.hooks.onReject({ error: new TollgateError(code, 'refused'), route, request })
    }
    expect(await samples(metrics.registry)).toMatchInlineSnapshot(`
      [
        "tollgate_rejections_total{route="GET /api/items/:id",code="payment_already_used"} 2",
        "tollgate_rejections_total{route="GET /api/items/:id",code="store_unavailable"} 1",
        "tollgate_store_errors_total 1",
      ]
    `)
  })

  test('behavior: verification outcome is success, rejected (4xx) or error (5xx); rpc_unavailable counts per network', async () => {
    const metrics = createGateMetrics()
    const verify = (durationMs: number, error?: TollgateError) =>
      metrics.hooks.onVerify({
        scheme: 'tx',
        network,
        route,
        durationMs,
        ...(error === undefined ? {} : { error }),
      })
    verify(4)
    verify(30, new TollgateError('verify_amount_insufficient', 'too little'))
    verify(5000, new TollgateError('rpc_unavailable', 'node down'))
    verify(-3) // a clock that stepped back
    const lines = await samples(metrics.registry)
    expect(lines.filter((line) => !line.includes('_bucket'))).toMatchInlineSnapshot(`
      [
        "tollgate_verification_duration_seconds_sum{scheme="tx",network="eip155:8453",outcome="success"} 0.004",
        "tollgate_verification_duration_seconds_count{scheme="tx",network="eip155:8453",outcome="success"} 2",
        "tollgate_verification_duration_seconds_sum{scheme="tx",network="eip155:8453",outcome="rejected"} 0.03",
        "tollgate_verification_duration_seconds_count{scheme="tx",network="eip155:8453",outcome="rejected"} 1",
        "tollgate_verification_duration_seconds_sum{scheme="tx",network="eip155:8453",outcome="error"} 5",
        "tollgate_verification_duration_seconds_count{scheme="tx",network="eip155:8453",outcome="error"} 1",
        "tollgate_rpc_errors_total{network="eip155:8453"} 1",
        "tollgate_store_errors_total 0",
      ]
    `)
    expect(
      lines
        .filter((line) => line.includes('_bucket') && line.includes('outcome="success"'))
        .map((line) => line.replace(/^.*le="([^"]+)".*} (\d+)$/, '$1=$2')),
    ).toMatchInlineSnapshot(`
      [
        "0.001=1",
        "0.0025=1",
        "0.005=2",
        "0.01=2",
        "0.025=2",
        "0.05=2",
        "0.1=2",
        "0.25=2",
        "0.5=2",
        "1=2",
        "2.5=2",
        "5=2",
        "10=2",
        "+Inf=2",
      ]
    `)
  })

  test('behavior: settlements observe their duration by network and outcome', async () => {
    const metrics = createGateMetrics()
    const settle = (durationMs: number, success: boolean) =>
      metrics.hooks.onSettle({
        network,
        route,
        durationMs,
        response: { success, transaction: success ? '0xabc' : '', network },
      })
    settle(1200, true)
    settle(40, false)
    const lines = (await samples(metrics.registry)).filter((line) => !line.includes('_bucket'))
    expect(lines).toMatchInlineSnapshot(`
      [
        "tollgate_settlement_duration_seconds_sum{network="eip155:8453",outcome="success"} 1.2",
        "tollgate_settlement_duration_seconds_count{network="eip155:8453",outcome="success"} 1",
        "tollgate_settlement_duration_seconds_sum{network="eip155:8453",outcome="failure"} 0.04",
        "tollgate_settlement_duration_seconds_count{network="eip155:8453",outcome="failure"} 1",
        "tollgate_store_errors_total 0",
      ]
    `)
  })

  test('behavior: a given registry and prefix are used, next to metrics already there', async () => {
    const registry = new Registry()
    new Counter({ name: 'app_requests_total', help: 'The app’s own.', registers: [registry] })
    const metrics = createGateMetrics({ registry, prefix: 'api_gate_' })
    expect(metrics.registry).toBe(registry)
    expect(registry.getSingleMetric('api_gate_payments_total')).toBeDefined()
    expect(registry.getSingleMetric('app_requests_total')).toBeDefined()
    expect(createGateMetrics({ prefix: '' }).registry.getSingleMetric('payments_total')).toBeDefined()
  })

  test('behavior: an OpenMetrics registry keeps its type and content type', async () => {
    const registry = new Registry<OpenMetricsContentType>()
    registry.setContentType(Registry.OPENMETRICS_CONTENT_TYPE)
    const metrics = createGateMetrics({ registry })
    metrics.hooks.onPayment({ receipt: payment('1000'), request })
    const contentType: OpenMetricsContentType = metrics.registry.contentType
    expect(contentType).toBe('application/openmetrics-text; version=1.0.0; charset=utf-8')
    expect(await samples(metrics.registry)).toContain(
      'tollgate_revenue_atomic_total{route="GET /api/items/:id",scheme="tx",network="eip155:8453",asset="0x833589fCD6eDb6E08f4c7C32D4f71b54bdA02913"} 1000',
    )
  })

  test('error: a prefix that is not a metric name prefix', () => {
    expect(() => createGateMetrics({ prefix: 'tollgate-' })).toThrowErrorMatchingInlineSnapshot(
      `[TollgateError: "tollgate-" is not a valid Prometheus metric name prefix.]`,
    )
  })

  test('error: registering twice in one registry, and nothing half-registered', () => {
    const registry = new Registry()
    createGateMetrics({ registry })
    const before = registry.getMetricsAsArray().length
    let error: unknown
    try {
      createGateMetrics({ registry })
    } catch (caught) {
      error = caught
    }
    expect(TollgateError.is(error) && error.code).toBe('config_invalid')
    expect((error as Error).message).toMatchInlineSnapshot(
      `"A metric named "tollgate_payments_total" is already registered: use another prefix or registry."`,
    )
    expect(registry.getMetricsAsArray()).toHaveLength(before)
  })
})
