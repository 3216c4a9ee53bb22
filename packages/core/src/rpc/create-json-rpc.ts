import { TollgateError } from '../errors/tollgate-error.js'
import { readBodyText } from '../protocol/read-body-text.js'
import { matchJsonRpcAnswers } from './match-json-rpc-answers.js'
import { type JsonPost, nodeHttpPost, type PostAnswer } from './node-http-post.js'

// Methods whose second arrival is not harmless: a transaction send (the same bytes again may meet
// a nonce already used, and its caller re-signs).
const SENDS = /^eth_send/

/** One JSON-RPC call. */
export type JsonRpcCall = { method: string; params: readonly unknown[] }

/** Options of {@link createJsonRpc}. */
export type CreateJsonRpcOptions = {
  /** The node's HTTP(S) JSON-RPC endpoint. */
  url: string
  /** Abort a round trip after this many milliseconds. Default 5000. */
  timeoutMs?: number
  /** Largest accepted response, in bytes. Default 8 MiB. */
  maxResponseBytes?: number
  /**
   * `fetch` to carry every round trip. Default: on Node (20.16 and later), Node's own HTTP client
   * with a keep-alive pool shared by the process, which spends a fraction of `fetch`'s CPU per round
   * trip; elsewhere, and for a URL that is not `http:` or `https:`, the global `fetch`. Credentials
   * in the URL (`https://user:key@host/…`) go as Basic authorization on Node; `fetch` refuses them.
   */
  fetch?: typeof fetch
}

/** A minimal JSON-RPC client that makes one HTTP round trip per batch and counts them. */
export type JsonRpc = {
  /** Sends calls as one batch and returns their results in order; any error rejects with `rpc_unavailable`. */
  batch(calls: readonly JsonRpcCall[], signal?: AbortSignal): Promise<unknown[]>
  /** Sends one call. */
  request(method: string, params: readonly unknown[], signal?: AbortSignal): Promise<unknown>
  /** Round trips made so far (for benchmarks). */
  readonly stats: { roundTrips: number; calls: number }
}

/**
 * Creates a JSON-RPC client for verification: batched, time-bounded, size-bounded, and failing
 * closed. Any transport failure, timeout, oversized or malformed answer or JSON-RPC error rejects
 * with `rpc_unavailable` (a 503 with `Retry-After` at the gate), never with a guess.
 *
 * @example const rpc = createJsonRpc({ url: 'http://127.0.0.1:8545' })
 * const [receipt, head] = await rpc.batch([{ method: 'eth_getTransactionReceipt', params: [hash] }, { method: 'eth_blockNumber', params: [] }])
 * @throws {TollgateError} `rpc_unavailable`
 */
export function createJsonRpc(options: CreateJsonRpcOptions): JsonRpc {
  const timeoutMs = options.timeoutMs ?? 5000
  const maxResponseBytes = options.maxResponseBytes ?? 8 * 1024 * 1024
  // Node's own HTTP client where there is one, unless a `fetch` was given; `fetch` elsewhere.
  const post =
    (options.fetch === undefined ? nodeHttpPost(options.url) : undefined) ??
    fetchPost(options.url, options.fetch ?? globalThis.fetch)
  const stats = { roundTrips: 0, calls: 0 }
  let nextId = 1

  const unavailable = (message: string, cause?: unknown): TollgateError =>
    new TollgateError('rpc_unavailable', message, {
      retryAfter: 2,
      ...(cause === undefined ? {} : { cause }),
    })

  const batch = async (calls: readonly JsonRpcCall[], signal?: AbortSignal): Promise<unknown[]> => {
    const firstId = nextId
    nextId += calls.length
    const body = calls.map((call, index) => ({
      jsonrpc: '2.0',
      id: firstId + index,
      method: call.method,
      params: call.params,
    }))
    stats.roundTrips++
    stats.calls += calls.length
    const deadline = startDeadline(timeoutMs, signal)
    let answer: PostAnswer
    try {
      answer = await post(
        JSON.stringify(body.length === 1 ? body[0] : body),
        deadline.signal,
        maxResponseBytes,
        !calls.some((call) => SENDS.test(call.method)),
      )
    } catch (error) {
      throw unavailable(
        deadline.expired()
          ? `The RPC node did not answer within ${timeoutMs} ms.`
          : 'The RPC node is unreachable.',
        error,
      )
    } finally {
      deadline.clear()
    }
    if (answer.status < 200 || answer.status > 299)
      throw unavailable(`The RPC node answered HTTP ${answer.status}.`)
    const { text } = answer
    if (text === undefined) throw unavailable(`The RPC answer is larger than ${maxResponseBytes} bytes.`)
    return matchJsonRpcAnswers(text, calls, firstId)
  }

  return {
    batch,
    request: async (method, params, signal) => (await batch([{ method, params }], signal))[0],
    stats,
  }
}

/**
 * A signal aborted after `timeoutMs` or when `signal` aborts, whichever comes first, with a timer
 * that `clear` stops once the round trip ended. Far cheaper per call than `AbortSignal.timeout`
 * with `AbortSignal.any`, whose timer and listeners outlive the round trip.
 */
function startDeadline(
  timeoutMs: number,
  signal: AbortSignal | undefined,
): { signal: AbortSignal; expired: () => boolean; clear: () => void } {
  const controller = new AbortController()
  let expired = false
  const timer = setTimeout(() => {
    expired = true
    controller.abort(new DOMException(`No answer within ${timeoutMs} ms.`, 'TimeoutError'))
  }, timeoutMs)
  // Like `AbortSignal.timeout`'s, the timer alone does not keep a Node process alive.
  ;(timer as { unref?: () => void }).unref?.()
  const onAbort = () => controller.abort(signal?.reason)
  if (signal?.aborted) onAbort()
  else signal?.addEventListener('abort', onAbort, { once: true })
  return {
    signal: controller.signal,
    expired: () => expired,
    clear: () => {
      clearTimeout(timer)
      signal?.removeEventListener('abort', onAbort)
    },
  }
}

/** A JSON POST through `fetch`: the transport of every runtime without Node's HTTP client. */
function fetchPost(url: string, fetchFn: typeof fetch): JsonPost {
  return async (body, signal, maxBytes) => {
    const response = await fetchFn(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body,
      signal,
    })
    if (!response.ok) {
      await response.body?.cancel().catch(() => {})
      return { status: response.status, text: undefined }
    }
    return { status: response.status, text: await readBodyText(response.body, maxBytes) }
  }
}
