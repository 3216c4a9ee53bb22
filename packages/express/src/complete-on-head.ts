import type { ServerResponse } from 'node:http'
import type { GatePaid } from '@tollgate/core'

/** Bytes of a body captured for the gate to keep: the store's value limit; the gate keeps less. */
const MAX_CAPTURED_BYTES = 65_536

/**
 * Reports the handler's status to the gate exactly once, at the moment the response head goes out
 * (`writeHead`, which Node also calls for the first `write` or `end`), and adds the headers the gate
 * gives for that status. The outcome is the status the handler wrote, never the connection's fate:
 * a client that hangs up does not free a proof the handler is serving. A response of 500 or more
 * is held until the gate has freed the proof, so a payer that retries at once is admitted. A
 * small body sent whole is handed to the gate (`decision.keep`) before it goes out, so the same
 * proof sent again gets it back; a streamed one is not kept.
 *
 * @internal
 * @example completeOnHead(response, decision); next()
 */
export function completeOnHead(
  response: ServerResponse,
  decision: Pick<GatePaid, 'complete' | 'headersFor' | 'keep'>,
): void {
  let completion: Promise<unknown> | undefined
  if (decision.keep !== undefined) captureBody(response, decision.keep)
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

/** Copies a body sent whole (up to the cap) and hands it to `keep` before the response ends. */
function captureBody(response: ServerResponse, keep: NonNullable<GatePaid['keep']>): void {
  const chunks: Buffer[] = []
  let size = 0
  const capture = (chunk: unknown, encoding: unknown) => {
    if (size > MAX_CAPTURED_BYTES || chunk === undefined || chunk === null || typeof chunk === 'function')
      return
    const buffer =
      typeof chunk === 'string'
        ? Buffer.from(chunk, typeof encoding === 'string' ? (encoding as BufferEncoding) : 'utf8')
        : Buffer.from(chunk as Uint8Array)
    size += buffer.byteLength
    if (size <= MAX_CAPTURED_BYTES) chunks.push(buffer)
    else chunks.length = 0
  }
  // A streamed answer (written in parts) is not kept: the payment counts as consumed.
  let streamed = false
  const write = response.write
  response.write = function (this: ServerResponse, ...args: unknown[]) {
    streamed = true
    return Reflect.apply(write, this, args)
  } as ServerResponse['write']
  const end = response.end
  response.end = function (this: ServerResponse, ...args: unknown[]) {
    capture(args[0], args[1])
    if (streamed || size > MAX_CAPTURED_BYTES || this.statusCode >= 500) return Reflect.apply(end, this, args)
    // The answer is kept before its last bytes go out, so a payer who retries the moment it
    // arrives (or after losing it) gets it back instead of a refusal.
    const headers: [string, string][] = []
    for (const [name, value] of Object.entries(this.getHeaders())) {
      if (value !== undefined) headers.push([name, Array.isArray(value) ? value.join(', ') : String(value)])
    }
    const body = Buffer.concat(chunks).toString('base64')
    keep({ status: this.statusCode, headers, body })
      .catch(() => {})
      .then(() => Reflect.apply(end, this, args))
    return this
  } as ServerResponse['end']
}
