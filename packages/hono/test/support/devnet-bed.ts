import type { AddressInfo } from 'node:net'
import { serve } from '@hono/node-server'
import {
  type CreateGateOptions,
  createMemoryStore,
  decodePaymentRequiredHeader,
  type PaymentRequirements,
} from '@tollgate/core'
import { evmNetwork } from '@tollgate/core/evm'
import { devnetRegistry } from '@tollgate/test-support'
import { type Devnet, startDevnet } from '@tollgate/testkit'
import type { Hono } from 'hono'
import type { Address } from 'viem'
import { generatePrivateKey, privateKeyToAccount } from 'viem/accounts'
import { afterAll, afterEach, beforeAll, expect } from 'vitest'
import type { TollgateEnv } from '../../src/index.js'

/** What {@link useDevnetBed} gives a test file. */
export type DevnetBed = {
  /** The file's devnet, once `beforeAll` ran. */
  devnet(): Devnet
  /** A fresh address that gets paid. */
  payTo(): Address
  /** Gate options pricing `GET /api/search` at $0.001 in the devnet's USDC, with a memory store. */
  gateOptions(overrides?: Partial<CreateGateOptions>): CreateGateOptions
  /** Serves a Hono app on `@hono/node-server` and 127.0.0.1 until the test ends; resolves with its base URL. */
  listen(app: Hono<TollgateEnv>): Promise<string>
  /** The first requirement of the 402 that `url` answers. */
  requirementsOf(url: string): Promise<PaymentRequirements>
}

/**
 * Registers a test file's devnet (started before its tests, stopped after) and the servers its
 * tests listen with (closed after each test), and gives the helpers around them.
 *
 * @example const bed = useDevnetBed('hono-secret-hono-secret-hono-secret-0001')
 */
export function useDevnetBed(secret: string): DevnetBed {
  let devnet: Devnet | undefined
  let payTo: Address | undefined
  const closers: (() => void)[] = []
  beforeAll(async () => {
    devnet = await startDevnet()
    payTo = privateKeyToAccount(generatePrivateKey()).address
  })
  afterAll(async () => {
    await devnet?.stop()
  })
  afterEach(() => {
    for (const close of closers.splice(0)) close()
  })
  const started = (): Devnet => {
    if (devnet === undefined) throw new Error('The devnet starts in beforeAll.')
    return devnet
  }
  return {
    devnet: started,
    payTo: () => payTo as Address,
    gateOptions: (overrides = {}) => ({
      routes: { 'GET /api/search': { price: '$0.001', description: 'Search' } },
      payTo: payTo as Address,
      store: createMemoryStore(),
      networks: [evmNetwork({ network: started().network, rpcUrl: started().rpcUrl, assets: ['USDC'] })],
      secret,
      registry: devnetRegistry(started()),
      logger: { warn: () => {} },
      ...overrides,
    }),
    listen: async (app) => {
      const server = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' })
      await new Promise<void>((resolve) => server.once('listening', () => resolve()))
      closers.push(() => {
        ;(server as unknown as { closeAllConnections(): void }).closeAllConnections()
        server.close()
      })
      return `http://127.0.0.1:${(server.address() as AddressInfo).port}`
    },
    requirementsOf: async (url) => {
      const response = await fetch(url)
      expect(response.status).toBe(402)
      return decodePaymentRequiredHeader(response.headers.get('PAYMENT-REQUIRED')!).accepts[0]!
    },
  }
}
