import type { GateRequest } from '@tollgate/core'
import type { Context } from 'hono'

/** The part of Node's `IncomingMessage` read here: its lower-cased header record. */
type NodeIncoming = { headers: Record<string, string | string[] | undefined> }

/**
 * A header lookup over Node's own header record, when the app runs on `@hono/node-server` (which
 * puts the `IncomingMessage` in `c.env.incoming`): reading it builds nothing, where `c.req.raw.headers`
 * builds a `Headers` from every header on first access. Undefined on other runtimes, where the
 * gate reads the request's `headers`.
 *
 * @internal
 * @example const headers = nodeHeaders(c) // { get('x-payment-pass') } or undefined
 */
export function nodeHeaders(c: Context): GateRequest['headers'] | undefined {
  const incoming = (c.env as { incoming?: Partial<NodeIncoming> } | undefined)?.incoming
  const record = incoming?.headers
  if (record === undefined || record === null || typeof record !== 'object') return undefined
  return new NodeHeaders(record)
}

class NodeHeaders {
  readonly #record: Record<string, string | string[] | undefined>

  constructor(record: Record<string, string | string[] | undefined>) {
    this.#record = record
  }

  get(name: string): string | null {
    // Node keeps header names lower-cased and joins repeated ones as fetch does, except
    // `set-cookie` (never a request header the gate reads). The gate asks in lower case.
    let value = this.#record[name]
    if (value === undefined) {
      const lower = name.toLowerCase()
      if (lower !== name) value = this.#record[lower]
    }
    return value === undefined ? null : Array.isArray(value) ? value.join(', ') : value
  }
}
