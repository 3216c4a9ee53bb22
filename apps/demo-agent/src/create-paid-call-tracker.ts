import { AsyncLocalStorage } from 'node:async_hooks'
import type { ClientEvent, PaymentProblem } from '@tollgate/core'

/** What a paid tool call ended with: the data, or the structured problem the model was given. */
export type PaidCallOutcome = { ok: true; data: unknown } | { ok: false; problem: PaymentProblem }

/** One tool call of an agent, with everything its client did meanwhile. */
export type PaidCall = {
  /** 1, 2, … in the order the calls started. */
  number: number
  /** Tool name. */
  tool: string
  /** The arguments the model gave. */
  input: unknown
  /** The client's events during this call: quote, authorization or transfer, acceptance, pass use. */
  events: ClientEvent[]
  /** What the owner was asked during this call, and answered. */
  approvals: string[]
  outcome: PaidCallOutcome
}

/** Attributes a client's events to the tool call that caused them. */
export type PaidCallTracker = {
  /** Pass to `createClient({ onEvent })`. */
  onEvent(event: ClientEvent): void
  /** Records an approval decision for the current call (from the policy's `approve` callback). */
  noteApproval(text: string): void
  /** Runs one tool call, then reports it with its events and outcome. */
  track<T>(
    call: { tool: string; input: unknown },
    run: () => Promise<T>,
    outcomeOf: (value: T) => PaidCallOutcome,
  ): Promise<T>
}

type Pending = Omit<PaidCall, 'outcome'>

/**
 * Creates a tracker that tells which tool call each client event belongs to, even when a model
 * calls several tools at once: each call runs in its own async context (`AsyncLocalStorage`), and
 * the client's `onEvent` runs inside the `fetch` that the call awaits.
 *
 * @example
 * const tracker = createPaidCallTracker((call) => print(call))
 * const client = createClient({ wallets, onEvent: tracker.onEvent })
 */
export function createPaidCallTracker(onCall: (call: PaidCall) => void | Promise<void>): PaidCallTracker {
  const storage = new AsyncLocalStorage<Pending>()
  let count = 0
  return {
    onEvent(event) {
      storage.getStore()?.events.push(event)
    },
    noteApproval(text) {
      storage.getStore()?.approvals.push(text)
    },
    async track(call, run, outcomeOf) {
      const pending: Pending = {
        number: ++count,
        tool: call.tool,
        input: call.input,
        events: [],
        approvals: [],
      }
      const value = await storage.run(pending, run)
      await onCall({ ...pending, outcome: outcomeOf(value) })
      return value
    },
  }
}
