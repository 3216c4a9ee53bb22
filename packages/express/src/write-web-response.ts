import type { ServerResponse } from 'node:http'

/**
 * Writes a web `Response` (such as the 402 or error response the gate built) to a Node or Express
 * response unchanged: status, every header and the body bytes. It bypasses Express's `send`, so
 * nothing is added or rewritten (no ETag, no charset). The body is read whole: use it for the
 * gate's small responses, not for streams.
 *
 * @example
 * app.get('/api/weather', async (request, response) => {
 *   await writeWebResponse(response, Response.json({ city: 'Lisbon', celsius: 21 }))
 * })
 */
export async function writeWebResponse(response: ServerResponse, webResponse: Response): Promise<void> {
  const body = webResponse.body === null ? undefined : new Uint8Array(await webResponse.arrayBuffer())
  response.statusCode = webResponse.status
  if (webResponse.statusText !== '') response.statusMessage = webResponse.statusText
  for (const [name, value] of webResponse.headers) {
    if (name !== 'set-cookie') response.setHeader(name, value)
  }
  const cookies = webResponse.headers.getSetCookie()
  if (cookies.length > 0) response.setHeader('set-cookie', cookies)
  response.end(body)
}
