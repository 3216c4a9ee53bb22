import type * as NodeHttp from 'node:http'

/** What a POST answered: its status and, for a 2xx answer within the size bound, its body as text. @internal */
export type PostAnswer = { status: number; text: string | undefined }

/**
 * Sends `body` as a JSON POST and reads the answer; rejects on a transport failure or `signal`.
 * `resendable`: whether the body may reach the node twice (reads, never a transaction send).
 * @internal
 */
export type JsonPost = (
  body: string,
  signal: AbortSignal,
  maxBytes: number,
  resendable: boolean,
) => Promise<PostAnswer>

type BuiltinModules = { getBuiltinModule?: (id: string) => unknown }

// One keep-alive pool per scheme, shared by every client of the process (Node unrefs idle sockets).
const agents = new Map<string, NodeHttp.Agent>()

/**
 * A JSON POST to `url` over Node's own HTTP client, or undefined where the runtime has none (edge
 * runtimes, browsers, Node before 20.16) or the URL is not `http:` or `https:`. Against `fetch` it
 * saves a request's web streams, `Request`/`Response` and header objects: most of the CPU of a
 * small JSON-RPC round trip. The modules come from `process.getBuiltinModule`, so bundles for
 * other runtimes import nothing of Node.
 *
 * A resendable request that fails on a kept-alive socket the node had just closed, before any
 * answer, is sent once more on a new one, as Node documents for `request.reusedSocket` (a node
 * closing an idle connection never saw it). A transaction send is not: it fails, and its caller
 * looks for the transaction on chain, as after any send lost in transport.
 *
 * @internal
 * @example const post = nodeHttpPost('http://127.0.0.1:8545'); const { status, text } = await post!(body, signal, 1 << 20)
 */
export function nodeHttpPost(url: string): JsonPost | undefined {
  const builtins = (globalThis as { process?: BuiltinModules }).process
  if (typeof builtins?.getBuiltinModule !== 'function') return undefined
  let target: URL
  try {
    target = new URL(url)
  } catch {
    return undefined
  }
  if (target.protocol !== 'http:' && target.protocol !== 'https:') return undefined
  const client = builtins.getBuiltinModule(target.protocol === 'http:' ? 'node:http' : 'node:https') as
    | typeof NodeHttp
    | undefined
  if (typeof client?.request !== 'function' || typeof client.Agent !== 'function') return undefined
  let agent = agents.get(target.protocol)
  if (agent === undefined) {
    agent = new client.Agent({ keepAlive: true, scheduling: 'lifo' })
    agents.set(target.protocol, agent)
  }
  const options: NodeHttp.RequestOptions = {
    method: 'POST',
    protocol: target.protocol,
    hostname: target.hostname.replace(/^\[|\]$/g, ''),
    port: target.port,
    path: `${target.pathname}${target.search}`,
    agent,
    ...(target.username === ''
      ? {}
      : { auth: `${decodeURIComponent(target.username)}:${decodeURIComponent(target.password)}` }),
  }
  const send = (
    body: string,
    signal: AbortSignal,
    maxBytes: number,
    resendable: boolean,
    retried: boolean,
  ): Promise<PostAnswer> =>
    new Promise<PostAnswer>((resolve, reject) => {
      if (signal.aborted) {
        reject(signal.reason)
        return
      }
      let answered = false
      const request = client.request({
        ...options,
        headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) },
      })
      const onAbort = () =>
        request.destroy(signal.reason instanceof Error ? signal.reason : new Error('aborted'))
      signal.addEventListener('abort', onAbort, { once: true })
      const settle = () => signal.removeEventListener('abort', onAbort)
      request.on('error', (error: NodeJS.ErrnoException) => {
        settle()
        if (
          resendable &&
          !answered &&
          !retried &&
          !signal.aborted &&
          request.reusedSocket &&
          error.code === 'ECONNRESET'
        ) {
          resolve(send(body, signal, maxBytes, resendable, true))
          return
        }
        reject(error)
      })
      request.on('response', (response) => {
        answered = true
        const status = response.statusCode ?? 0
        if (status < 200 || status > 299) {
          response.resume()
          settle()
          resolve({ status, text: undefined })
          return
        }
        const chunks: Buffer[] = []
        let size = 0
        response.on('data', (chunk: Buffer) => {
          size += chunk.byteLength
          if (size > maxBytes) {
            settle()
            response.destroy()
            resolve({ status, text: undefined })
            return
          }
          chunks.push(chunk)
        })
        response.on('end', () => {
          settle()
          if (size <= maxBytes) resolve({ status, text: Buffer.concat(chunks, size).toString('utf8') })
        })
        // Cut off before its end (the node hung up, the deadline passed): settled by now otherwise.
        response.on('close', () => {
          settle()
          reject(signal.aborted ? signal.reason : new Error('The answer was cut off.'))
        })
      })
      request.end(body)
    })
  return (body, signal, maxBytes, resendable) => send(body, signal, maxBytes, resendable, false)
}
