import { TollgateError } from '../errors/tollgate-error.js'

/**
 * Reads a body as UTF-8 text, stopping with `header_too_large`-style bounds instead of buffering
 * an unbounded stream. Returns undefined when the body exceeds `maxBytes`.
 * @internal
 */
export async function readBodyText(
  body: ReadableStream<Uint8Array> | null,
  maxBytes: number,
): Promise<string | undefined> {
  if (body === null) return ''
  const reader = body.getReader()
  const chunks: Uint8Array[] = []
  let size = 0
  try {
    for (;;) {
      const { done, value } = await reader.read()
      if (done) break
      size += value.byteLength
      if (size > maxBytes) {
        await reader.cancel().catch(() => {})
        return undefined
      }
      chunks.push(value)
    }
  } catch (error) {
    throw new TollgateError('response_invalid', 'The response body could not be read.', { cause: error })
  }
  const bytes = new Uint8Array(size)
  let offset = 0
  for (const chunk of chunks) {
    bytes.set(chunk, offset)
    offset += chunk.byteLength
  }
  return new TextDecoder().decode(bytes)
}
