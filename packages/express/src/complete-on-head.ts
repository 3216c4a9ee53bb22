import type { ServerResponse } from 'node:http'
import type { GatePaid } from '@tollgate/core'

/**
 * Reports the handler's status to the gate exactly once, at the moment the response head goes out
 * (`writeHead`, which Node also calls for the first `write` or `end`), and adds the headers the gate
 * gives for that status. The outcome is the status the handler wrote, never the connection's fate:
 * a client that hangs up does not free a proof the handler is serving. A response of 500 or more
 * is held until the gate has freed the proof, so a payer that retries at once is admitted.
 *
 * @internal
 * @example completeOnHead(response, decision); next()
 */
export function completeOnHead(
  response: ServerResponse,
  decision: Pick<GatePaid, 'complete' | 'headersFor'>,
): void {
  let completion: Promise<unknown> | undefined
  const writeHead = response.writeHead
  response.writeHead = function (this: ServerResponse, ...args: unknown[]) {
    if (completion === undefined && !this.headersSent) {
      const status = typeof args[0] === 'number' ? args[0] : this.statusCode
      for (const [name, value] of decision.headersFor(status)) this.setHeader(name, value)
      completion = decision.complete(status).catch(() => {})
    }
    return Reflect.apply(writeHead, this, args)
  } as ServerResponse['writeHead']
  const end = response.end
  response.end = function (this: ServerResponse, ...args: unknown[]) {
    // The head is written inside `end` when the handler never wrote it: only then is the status final.
    if (!this.headersSent) this.writeHead(this.statusCode)
    if (this.statusCode < 500 || completion === undefined) return Reflect.apply(end, this, args)
    completion.then(() => Reflect.apply(end, this, args)).catch(() => this.destroy())
    return this
  } as ServerResponse['end']
}
