import { checkRequest } from './check-request.js'
import { createGateDiscovery } from './create-gate-discovery.js'
import { createGateRuntime } from './gate-runtime.js'
import { handleRequest } from './handle-request.js'
import type { CreateGateOptions, Gate } from './types.js'

/**
 * Creates a gate that charges for routes over HTTP 402 (x402 v2): it quotes prices, verifies
 * `tx` proofs and `exact` authorizations, sells passes, and never serves an unpaid request or
 * accepts a payment twice. Runs on any runtime with web `Request`/`Response`.
 *
 * @example
 * const gate = createGate({
 *   routes: { 'GET /api/search': { price: '$0.001', description: 'Web search' } },
 *   payTo: '0xYourAddress',
 *   networks: [evmNetwork({ network: 'eip155:8453', rpcUrl })],
 *   secret: process.env.TOLLGATE_SECRET,
 *   store: createRedisStore({ url }),
 * })
 * const decision = await gate.check(request)
 * @throws {TollgateError} `config_invalid` when routes, prices, networks or the secret are invalid
 */
export function createGate(options: CreateGateOptions): Gate {
  const runtime = createGateRuntime(options)
  return {
    check: async (request, context) => checkRequest(runtime, request, context),
    handle: async (request, handler, context) => handleRequest(runtime, request, handler, context),
    serve: (request, handler, context) => handleRequest(runtime, request, handler, context),
    async revokePass(pass) {
      const ttl = Math.max(1, pass.exp - Math.floor(runtime.now() / 1000) + runtime.skewSeconds)
      await runtime.store.put(`pass:revoked:${pass.jti}`, ttl)
    },
    discovery: createGateDiscovery(runtime),
    store: runtime.store,
    registry: runtime.registry,
  }
}
