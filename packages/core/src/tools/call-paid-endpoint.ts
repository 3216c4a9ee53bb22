import { TollgateError } from '../errors/tollgate-error.js'
import type { Money } from '../policy/types.js'
import { buildPaidRequest } from './build-paid-request.js'
import type { CompiledPaidEndpoint } from './compile-paid-endpoint.js'
import { describePaymentProblem } from './describe-payment-problem.js'
import { readResponseBody } from './read-response-body.js'
import type { PaidCallResult, PaidEndpointClient, PaymentProblem } from './types.js'

/** Options of {@link callPaidEndpoint}. */
export type CallPaidEndpointOptions = {
  /** The owner already approved paying up to this much (the framework's approval step). */
  approvedUpTo?: Money | undefined
  /** Aborts the call; an aborted call rejects instead of returning a problem. */
  signal?: AbortSignal | undefined
  /** Longest response body handed back, in characters. */
  maxResponseChars: number
}

/**
 * Calls a paid tool through the client, so the spending policy applies, and never throws for a
 * payment or HTTP problem: parameters are validated by the strict schema before any request, and
 * every TollgateError, non-2xx answer or network failure comes back as a {@link PaymentProblem}.
 *
 * @example
 * const result = await callPaidEndpoint(client, compilePaidEndpoint(priceTool), { ticker: 'AAPL' }, { maxResponseChars: 16_000 })
 * if (result.ok) use(result.data, result.payment)
 * else tellTheModel(result.problem)
 */
export async function callPaidEndpoint(
  client: PaidEndpointClient,
  compiled: CompiledPaidEndpoint,
  input: unknown,
  options: CallPaidEndpointOptions,
): Promise<PaidCallResult> {
  const failed = (problem: PaymentProblem, response?: Response): PaidCallResult => ({
    ok: false,
    problem,
    status: response?.status,
    payment: response === undefined ? undefined : client.paymentFor(response),
  })
  const parsed = compiled.schema.safeParse(input)
  const request = parsed.success
    ? buildPaidRequest(compiled, parsed.data as Record<string, unknown>)
    : {
        ok: false as const,
        issues: parsed.error.issues.map((issue) => `${issue.path.join('.') || '(input)'}: ${issue.message}`),
      }
  if (!request.ok) {
    return failed({
      error: 'invalid_parameters',
      message: `The parameters of ${compiled.tool.name} are invalid; nothing was requested or paid.`,
      issues: request.issues.slice(0, 10),
      hint: 'Call the tool again with only the documented parameters and valid values.',
    })
  }
  const { signal, approvedUpTo } = options
  let response: Response | undefined
  try {
    const maxAmount = compiled.tool.maxPrice
    response = await client.fetch(
      request.url,
      { ...request.init, ...(signal === undefined ? {} : { signal }) },
      {
        ...(approvedUpTo === undefined ? {} : { approvedUpTo }),
        // A declared price ceiling is a hard limit: offers above it are never paid.
        ...(maxAmount === undefined ? {} : { maxAmount }),
      },
    )
    const data = await readResponseBody(response, options.maxResponseChars)
    if (response.ok) {
      return { ok: true, data, status: response.status, payment: client.paymentFor(response) }
    }
    return failed(httpProblem(response, data), response)
  } catch (error) {
    if (signal?.aborted) throw error
    if (TollgateError.is(error)) return failed(describePaymentProblem(error), response)
    return failed(
      {
        error: 'request_failed',
        message: `The request failed: ${error instanceof Error ? error.message.slice(0, 200) : 'unknown error'}.`,
        hint: 'The service could not be reached: call the tool again later (a payment already made is reused, never paid twice); if it keeps failing, tell the user.',
      },
      response,
    )
  }
}

function httpProblem(response: Response, body: unknown): PaymentProblem {
  const status = response.status
  const retryAfter = Number(response.headers.get('retry-after') ?? Number.NaN)
  const busy = status === 429 || status === 503
  return {
    error: `http_${status}`,
    message: `The service answered HTTP ${status}.`,
    status,
    ...(Number.isInteger(retryAfter) && retryAfter >= 0 ? { retryAfter } : {}),
    body,
    hint: busy
      ? 'The service is busy: wait retryAfter seconds (or a minute) before calling it again.'
      : status >= 500
        ? 'The service failed: try again later; if it keeps failing, tell the user.'
        : 'The service refused the request: check the parameters against the tool description; do not repeat the same call.',
  }
}
