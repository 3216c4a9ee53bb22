import { bytesToBase64 } from '../encoding/base64.js'
import type { IssuedPass } from '../pass/issued-pass.js'
import { keptHeaders } from './kept-headers.js'

/** A paid response as the gate keeps it for replay: status, the headers that matter, the body. */
export type KeptResponse = {
  /** The HTTP status. */
  status: number
  /** The content headers kept (`content-type`, `content-language`, `location`, ...; see `keptHeaders`). */
  headers: [string, string][]
  /** The body, base64. */
  body: string
  /**
   * The pass the paid response sold (in its `PAYMENT-RESPONSE`), so a replay hands it over again;
   * absent when the route sells none.
   */
  pass?: IssuedPass
  /**
   * The request it answered, `"<METHOD> <path>?<query>"` as the gate routed it: a retry of the same
   * payment for another request is refused, never answered with this response. Set by the gate.
   */
  target?: string
}

/**
 * Reads a handler's response so it can be sent and kept for replay: the body is read while it
 * stays within `maxBodyBytes`; a larger one is passed on as a stream, unkept. Resolves the
 * response to send (equivalent to the one given) and the kept copy, or `undefined`.
 * @internal
 * @example const { response, kept } = await keepResponse(await handler(request), 32_768)
 * @throws Whatever reading the handler's body throws
 */
export async function keepResponse(
  response: Response,
  maxBodyBytes: number,
): Promise<{ response: Response; kept: KeptResponse | undefined }> {
  // Nothing kept: the response is not touched at all (servers may build its headers on first access).
  if (maxBodyBytes <= 0) return { response, kept: undefined }
  const declared = Number(response.headers.get('content-length') ?? Number.NaN)
  if (declared > maxBodyBytes) return { response, kept: undefined }
  const reader = response.body?.getReader()
  const chunks: Uint8Array[] = []
  let size = 0
  while (reader !== undefined) {
    const { done, value } = await reader.read()
    if (done) break
    chunks.push(value)
    size += value.byteLength
    if (size > maxBodyBytes) return { response: rebuild(response, resumed(chunks, reader)), kept: undefined }
  }
  const body = new Uint8Array(size)
  let offset = 0
  for (const chunk of chunks) {
    body.set(chunk, offset)
    offset += chunk.byteLength
  }
  const kept: KeptResponse = {
    status: response.status,
    headers: keptHeaders(response.headers),
    body: bytesToBase64(body),
  }
  return { response: rebuild(response, body), kept }
}

function rebuild(response: Response, body: BodyInit | null): Response {
  const init = { status: response.status, statusText: response.statusText, headers: response.headers }
  return new Response(response.body === null ? null : body, init)
}

/** The chunks read so far, then the rest of the original stream. */
function resumed(chunks: Uint8Array[], reader: ReadableStreamDefaultReader<Uint8Array>): ReadableStream {
  return new ReadableStream({
    start(controller) {
      for (const chunk of chunks) controller.enqueue(chunk)
    },
    async pull(controller) {
      const { done, value } = await reader.read()
      if (done) controller.close()
      else controller.enqueue(value)
    },
    cancel: (reason) => reader.cancel(reason),
  })
}
