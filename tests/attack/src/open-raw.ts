import { createConnection, type Socket } from 'node:net'
import { parseResponse } from './parse-response.js'
import type { RawResponse } from './raw-http.js'

/** A connection the test drives by hand: to hang up at a chosen moment. */
export type RawConnection = {
  /** Everything received so far. */
  received(): string
  /** Resolves once the received text matches `predicate` (or the connection ended). */
  waitFor(predicate: (text: string) => boolean): Promise<string>
  /** Hangs up (RST-free close of both directions, like a client that goes away). */
  hangUp(): void
  /** The full response, once the server closed the connection. */
  response(): Promise<RawResponse>
}

/**
 * Opens a TCP connection to 127.0.0.1:`port` and writes `text` (or only its head, up to the blank
 * line, when `headOnly`).
 *
 * @example const connection = openRaw(port, serializeRequest(port, { method: 'GET', target: '/' }))
 */
export function openRaw(port: number, text: string, options: { headOnly?: boolean } = {}): RawConnection {
  const socket: Socket = createConnection({ port, host: '127.0.0.1' })
  let received = ''
  let ended = false
  const watchers = new Set<() => void>()
  const notify = () => {
    for (const watcher of [...watchers]) watcher()
  }
  socket.on('data', (chunk: Buffer) => {
    received += chunk.toString('latin1')
    notify()
  })
  const closed = new Promise<void>((resolve) => {
    socket.once('close', () => {
      ended = true
      notify()
      resolve()
    })
  })
  socket.on('error', () => {})
  const head = text.slice(0, text.indexOf('\r\n\r\n') + 4)
  socket.write(options.headOnly ? head : text)
  return {
    received: () => received,
    waitFor: (predicate) =>
      new Promise((resolve) => {
        const check = () => {
          if (predicate(received) || ended) {
            watchers.delete(check)
            resolve(received)
          }
        }
        watchers.add(check)
        check()
      }),
    hangUp: () => socket.destroy(),
    response: async () => {
      await closed
      return parseResponse(received)
    },
  }
}
