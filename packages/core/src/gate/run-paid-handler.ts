import type { KeptResponse } from './keep-response.js'
import type { GateCompletion, GatePaid } from './types.js'

/** Options of {@link runPaidHandler}. */
export type RunPaidHandlerOptions<Result> = {
  /** Runs the paid handler. Called at most once, and not when `signal` is already aborted. */
  run: () => Result | Promise<Result>
  /** The status the handler's result answers with (an HTTP status; 500 or more for a failure). */
  statusOf: (result: Result) => number
  /** The handler's whole response as kept for replay (see `keepResponse`). Default: nothing kept. */
  keptOf?: (result: Result) => KeptResponse | undefined
  /** Aborted when the requester leaves; checked once, just before the handler would start. */
  signal?: AbortSignal | undefined
}

/** What {@link runPaidHandler} did. */
export type RunPaidHandlerResult<Result> =
  /** The requester left before the handler started: it did not run, and the claim was freed. */
  | { outcome: 'aborted' }
  /** The handler answered; send `result` with `completion.headers`, or `completion.response` instead. */
  | { outcome: 'answered'; result: Result; completion: GateCompletion }
  /** The handler threw before answering: the payment was not consumed (see `completion.headers`). */
  | { outcome: 'failed'; error: unknown; completion: GateCompletion }

/**
 * Runs a paid handler by the gate's lifecycle rules, for adapters that get the handler's whole
 * answer at once (`gate.handle`, MCP tools): a requester gone before the start frees the claim and
 * runs nothing; the outcome is the status the handler answered with, never the connection's fate;
 * a handler that throws or answers 500 or more frees the payment for another try.
 *
 * @example
 * const run = await runPaidHandler(decision, { run: () => handler(request), statusOf: (response) => response.status, signal })
 * if (run.outcome === 'answered' && run.completion.ok) send(run.result, run.completion.headers)
 * @throws Never: a handler's error is returned as `outcome: 'failed'`
 */
export async function runPaidHandler<Result>(
  decision: GatePaid,
  options: RunPaidHandlerOptions<Result>,
): Promise<RunPaidHandlerResult<Result>> {
  if (options.signal?.aborted === true) {
    await decision.cancel()
    return { outcome: 'aborted' }
  }
  let result: Result
  try {
    result = await options.run()
  } catch (error) {
    return { outcome: 'failed', error, completion: await decision.complete(500) }
  }
  let status: number
  try {
    status = options.statusOf(result)
  } catch (error) {
    return { outcome: 'failed', error, completion: await decision.complete(500) }
  }
  const kept = options.keptOf?.(result)
  return { outcome: 'answered', result, completion: await decision.complete(status, kept) }
}
