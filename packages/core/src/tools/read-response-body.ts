/**
 * Reads a response body for the model: parsed JSON when the server says JSON, else text; a body
 * longer than `maxChars` is cut there with a note (and never parsed). Reads at most about
 * `4 * maxChars` bytes, so a huge body never fills memory.
 *
 * @example
 * await readResponseBody(new Response('{"price":1}', { headers: { 'content-type': 'application/json' } }), 16_000)
 * // { price: 1 }
 */
export async function readResponseBody(response: Response, maxChars: number): Promise<unknown> {
  const maxBytes = maxChars * 4
  const reader = response.body?.getReader()
  if (reader === undefined) return ''
  const chunks: Uint8Array[] = []
  let size = 0
  let cut = false
  for (;;) {
    const { done, value } = await reader.read()
    if (done) break
    chunks.push(value)
    size += value.byteLength
    if (size > maxBytes) {
      cut = true
      await reader.cancel().catch(() => {})
      break
    }
  }
  const bytes = new Uint8Array(size)
  let offset = 0
  for (const chunk of chunks) {
    bytes.set(chunk, offset)
    offset += chunk.byteLength
  }
  const text = new TextDecoder().decode(bytes)
  if (cut || text.length > maxChars) {
    return `${text.slice(0, maxChars)}\n[truncated: the response was longer than ${maxChars} characters]`
  }
  if (/[/+]json\b/i.test(response.headers.get('content-type') ?? '')) {
    try {
      return JSON.parse(text) as unknown
    } catch {
      return text
    }
  }
  return text
}
