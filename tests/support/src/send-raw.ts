import { connect } from 'node:net'

/**
 * Sends raw bytes to 127.0.0.1:`port` on a fresh connection and resolves with everything the server
 * answered until it closed: no client library normalises the target or the Host.
 *
 * @example const answer = await sendRaw(port, 'GET /api/search HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n')
 */
export function sendRaw(port: number, raw: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port })
    const chunks: Buffer[] = []
    socket.on('data', (chunk) => chunks.push(chunk))
    socket.on('error', reject)
    socket.on('close', () => resolve(Buffer.concat(chunks).toString('latin1')))
    // No half-close: Node servers drop a request whose client ended its side before the answer.
    socket.write(raw)
  })
}

/**
 * The status code of a raw HTTP/1.1 answer.
 *
 * @example statusOf('HTTP/1.1 402 Payment Required\r\n…') // 402
 */
export function statusOf(answer: string): number | undefined {
  const match = /^HTTP\/1\.[01] (\d{3})/.exec(answer)
  return match === null ? undefined : Number(match[1])
}
