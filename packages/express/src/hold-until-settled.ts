import type { OutgoingHttpHeader, OutgoingHttpHeaders, ServerResponse } from 'node:http'
import {
  createErrorResponse,
  type GateCompletion,
  type GatePaid,
  type KeptResponse,
  TollgateError,
} from '@tollgate/core'
import { writeWebResponse } from './write-web-response.js'

type Callback = (error?: Error | null) => void
type State = 'holding' | 'settling' | 'released' | 'abandoned'

/**
 * Holds back everything the handler writes (status, headers, body) until the gate has settled the
 * payment, for schemes that settle only after the handler succeeded (x402 `exact`). Then it sends
 * the handler's response with the settlement headers, or, when settlement failed, discards it and
 * sends the gate's response instead. Nothing reaches the socket before settlement; the whole body
 * is kept in memory until then, and handed to the gate with the status and headers, which keeps it
 * for replay when it is small enough (`replay.maxBodyBytes`).
 *
 * @internal
 * @example if (decision.deferred) holdUntilSettled(response, decision.complete)
 */
export function holdUntilSettled(response: ServerResponse, complete: GatePaid['complete']): void {
  const original = {
    writeHead: response.writeHead,
    write: response.write,
    end: response.end,
    flushHeaders: response.flushHeaders,
  }
  // Headers set before the handler ran (say, CORS) survive a failed settlement; the handler's do not.
  const before = response.getHeaders()
  const chunks: Buffer[] = []
  let state: State = 'holding'
  // The connection closed before the handler answered: settle, but write nothing.
  let departed = false
  // What `headersSent` would say without the hold, so error handlers act as usual (Express drops the
  // connection when a handler fails after it started answering).
  let started = false
  Object.defineProperty(response, 'headersSent', {
    configurable: true,
    get: () =>
      state === 'released' ? Reflect.get(Object.getPrototypeOf(response), 'headersSent', response) : started,
  })

  response.writeHead = function (this: ServerResponse, ...args: unknown[]) {
    if (state === 'released') return Reflect.apply(original.writeHead, this, args)
    const [statusCode, reason, headers] = args as [number, unknown, unknown]
    started = true
    this.statusCode = statusCode
    if (typeof reason === 'string') this.statusMessage = reason
    applyHeaders(this, (typeof reason === 'string' ? headers : reason) as WriteHeadHeaders)
    return this
  } as ServerResponse['writeHead']

  response.flushHeaders = function (this: ServerResponse) {
    if (state === 'released') original.flushHeaders.call(this)
    else started = true
  }

  response.write = function (this: ServerResponse, ...args: unknown[]) {
    if (state === 'released') return Reflect.apply(original.write, this, args)
    const { chunk, callback } = normalize(args)
    started = true
    if (state === 'holding' && chunk !== undefined) chunks.push(chunk)
    if (callback !== undefined) process.nextTick(callback)
    return true
  } as ServerResponse['write']

  response.end = function (this: ServerResponse, ...args: unknown[]) {
    if (state === 'released') return Reflect.apply(original.end, this, args)
    if (state !== 'holding') return this
    const { chunk, callback } = normalize(args)
    if (chunk !== undefined) chunks.push(chunk)
    started = true
    state = 'settling'
    settle(this, callback)
    return this
  } as ServerResponse['end']

  // Whether the agent closed its side: the socket ended or failed from the far end. Express itself
  // destroys the socket when a handler fails after it started answering, and that is no departure.
  let peerClosed = false
  const socket = response.req?.socket
  const onPeerClosed = () => {
    peerClosed = true
  }
  socket?.once('end', onPeerClosed)
  socket?.once('error', onPeerClosed)
  response.once('close', () => {
    socket?.off('end', onPeerClosed)
    socket?.off('error', onPeerClosed)
    if (state !== 'holding') return
    if (peerClosed) {
      // The agent left while the handler runs. The handler already started, so its own status
      // decides (ARCHITECTURE.md G5): a success is settled when it answers, a failure releases
      // the claim. Settling on the socket's fate would let a payer who always hangs up replay one
      // authorization and run the handler again and again without paying.
      departed = true
      return
    }
    // The handler failed after it started answering and the connection was dropped: nothing was
    // delivered, so nothing is settled.
    state = 'abandoned'
    chunks.length = 0
    complete(500).catch(() => {})
  })

  const settle = async (target: ServerResponse, callback: Callback | undefined): Promise<void> => {
    let completion: GateCompletion
    try {
      completion = await complete(target.statusCode, keptOf(target, chunks))
    } catch (error) {
      // Fail closed: an unsettled payment never releases the handler's output.
      const failure = new TollgateError('internal_error', 'The payment could not be settled.', {
        cause: error,
      })
      completion = { ok: false, error: failure, response: createErrorResponse(failure) }
    }
    state = departed ? 'abandoned' : 'released'
    if (departed) {
      chunks.length = 0
      callback?.()
      return
    }
    if (completion.ok) {
      for (const [name, value] of completion.headers) target.setHeader(name, value)
      Reflect.apply(original.end, target, [Buffer.concat(chunks), callback])
    } else {
      for (const name of target.getHeaderNames()) target.removeHeader(name)
      for (const [name, value] of Object.entries(before))
        if (value !== undefined) target.setHeader(name, value)
      target.statusMessage = ''
      await writeWebResponse(target, completion.response)
    }
    chunks.length = 0
  }
}

/** The held response as the gate keeps it for replay; the gate picks the headers and the size. */
function keptOf(response: ServerResponse, chunks: readonly Buffer[]): KeptResponse {
  const headers: [string, string][] = []
  for (const [name, value] of Object.entries(response.getHeaders())) {
    if (value !== undefined) headers.push([name, Array.isArray(value) ? value.join(', ') : String(value)])
  }
  return { status: response.statusCode, headers, body: Buffer.concat(chunks).toString('base64') }
}

type WriteHeadHeaders = OutgoingHttpHeaders | OutgoingHttpHeader[] | undefined

// Mirrors Node's `writeHead(status, headers)`: an object sets, a flat [name, value, …] list replaces then appends.
function applyHeaders(response: ServerResponse, headers: WriteHeadHeaders): void {
  if (Array.isArray(headers)) {
    for (let index = 0; index < headers.length; index += 2) response.removeHeader(String(headers[index]))
    for (let index = 0; index < headers.length; index += 2) {
      response.appendHeader(String(headers[index]), headers[index + 1] as string | string[])
    }
  } else if (headers !== undefined && headers !== null) {
    for (const [name, value] of Object.entries(headers)) response.setHeader(name, value as string)
  }
}

// `write`/`end` take (chunk?, encoding?, callback?), any of which may be left out.
function normalize(args: unknown[]): { chunk: Buffer | undefined; callback: Callback | undefined } {
  const callback = args.find((value) => typeof value === 'function') as Callback | undefined
  const [chunk, encoding] = args
  if (chunk === undefined || chunk === null || typeof chunk === 'function')
    return { chunk: undefined, callback }
  const buffer =
    typeof chunk === 'string'
      ? Buffer.from(chunk, typeof encoding === 'string' ? (encoding as BufferEncoding) : 'utf8')
      : Buffer.from(chunk as Uint8Array)
  return { chunk: buffer, callback }
}
