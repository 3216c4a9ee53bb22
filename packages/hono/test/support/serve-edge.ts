import { fileURLToPath } from 'node:url'
import { serveFetch } from '@tollgate/test-support'
import { EdgeRuntime } from 'edge-runtime'
import { build } from 'esbuild'
import type { Count } from './apps.js'
import type { EdgeSetup } from './edge-entry.js'

let bundle: Promise<string> | undefined

/** The edge entry and everything it imports (Hono, @tollgate/core, viem) as one browser script. */
function edgeBundle(): Promise<string> {
  bundle ??= build({
    entryPoints: [fileURLToPath(new URL('./edge-entry.ts', import.meta.url))],
    bundle: true,
    format: 'iife',
    platform: 'browser',
    target: 'es2022',
    write: false,
    logLevel: 'silent',
  }).then((result) => result.outputFiles[0]!.text)
  return bundle
}

async function newRuntime(setup: EdgeSetup): Promise<EdgeRuntime> {
  return new EdgeRuntime({
    initialCode: await edgeBundle(),
    extend: (context) => Object.assign(context, { EDGE_SETUP: setup }),
  })
}

const shared = new Map<EdgeSetup['app'], { runtime: Promise<EdgeRuntime>; slot: { count: Count } }>()

// The shape suites send only unpaid requests, which leave the gate as they found it: one runtime
// per app (evaluating the bundle costs about 25 ms) serves every test, each counting its own runs.
// The counter is swapped per test, which holds because a file's tests run one at a time.
async function sharedRuntime(setup: EdgeSetup): Promise<EdgeRuntime> {
  let entry = shared.get(setup.app)
  if (entry === undefined) {
    const slot = { count: setup.count }
    entry = { runtime: newRuntime({ app: setup.app, count: (name) => slot.count(name) }), slot }
    shared.set(setup.app, entry)
  }
  entry.slot.count = setup.count
  return entry.runtime
}

/**
 * Runs the app `setup` names inside an edge runtime (the `edge-runtime` package's VM: web globals
 * only, no Node modules) behind a node:http bridge: a fresh runtime for a paid app (`spec`), one
 * kept per app for the shape suites. The bridge builds the URL from the server's own
 * origin and the target as received, and aborts the request's `signal` (one of the runtime's own)
 * when the requester leaves. `runServer` of the same package does neither: it builds the URL from
 * `Host` (throwing on a malformed one) and never aborts `request.signal`.
 *
 * @example const server = await serveEdge({ app: 'paid-hono', spec, count })
 */
export async function serveEdge(setup: EdgeSetup) {
  const runtime = setup.spec === undefined ? await sharedRuntime(setup) : await newRuntime(setup)
  return serveFetch(async (request) => {
    const abort = runtime.evaluate<AbortController>('new AbortController()')
    request.signal.addEventListener('abort', () => abort.abort(), { once: true })
    const body = request.body === null ? undefined : new Uint8Array(await request.arrayBuffer())
    const response = await runtime.dispatchFetch(request.url, {
      method: request.method,
      headers: [...request.headers],
      ...(body === undefined ? {} : { body }),
      signal: abort.signal,
    })
    await response.waitUntil()
    const bytes = response.body === null ? null : new Uint8Array(await response.arrayBuffer())
    return new Response(bytes, { status: response.status, headers: new Headers([...response.headers]) })
  })
}
