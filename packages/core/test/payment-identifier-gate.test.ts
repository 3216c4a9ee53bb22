import type { Devnet } from '@tollgate/testkit'
import type { Address } from 'viem'
import { generatePrivateKey, privateKeyToAccount } from 'viem/accounts'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { evmNetwork } from '../src/evm/evm-network.js'
import { createGate } from '../src/gate/create-gate.js'
import { decodePaymentRequiredHeader } from '../src/protocol/payment-required-header.js'
import {
  decodePaymentSignatureHeader,
  encodePaymentSignatureHeader,
} from '../src/protocol/payment-signature-header.js'
import type { PaymentRequired, PaymentRequirements } from '../src/protocol/types.js'
import { devnetRegistry, proofHeader, startDevnet, transfer } from './support/devnet-gate.js'
import { quietLogger } from './support/quiet-logger.js'
import { serve } from './support/serve.js'

// x402's payment-identifier at the gate, over HTTP on anvil: declared in every 402, bound to the
// exact payload (and request) it first came with; the same payload sent again gets the kept
// response, any other payload with that identifier is refused with a stable code.
const SECRET = 'test-secret-test-secret-test-secret-0021'
let devnet: Devnet
let payTo: Address

beforeAll(async () => {
  devnet = await startDevnet()
  payTo = privateKeyToAccount(generatePrivateKey()).address
})
afterAll(async () => {
  await devnet?.stop()
})

async function startGate(required?: boolean) {
  const gate = createGate({
    logger: quietLogger,
    routes: { 'GET /api/search': { price: '$0.001' } },
    payTo,
    networks: [evmNetwork({ network: devnet.network, rpcUrl: devnet.rpcUrl, assets: ['USDC'] })],
    secret: SECRET,
    registry: devnetRegistry(devnet),
    ...(required === undefined ? {} : { paymentIdentifier: { required } }),
  })
  let runs = 0
  const server = await serve((request) =>
    gate.handle(request, async () => {
      runs++
      return Response.json({ results: ['paid'], run: runs })
    }),
  )
  const get = (header?: string) =>
    fetch(`${server.origin}/api/search`, {
      headers: header === undefined ? {} : { 'PAYMENT-SIGNATURE': header },
    })
  return { get, runs: () => runs, close: () => server.close() }
}

async function quoted(response: Response): Promise<{ required: PaymentRequired; tx: PaymentRequirements }> {
  expect(response.status).toBe(402)
  const required = decodePaymentRequiredHeader(response.headers.get('PAYMENT-REQUIRED')!)
  return { required, tx: required.accepts.find((entry) => entry.scheme === 'tx')! }
}

/** The header with the server's payment-identifier declaration echoed and `id` appended. */
function withId(header: string, declared: PaymentRequired, id: unknown): string {
  const payload = decodePaymentSignatureHeader(header)
  const declaration = declared.extensions?.['payment-identifier'] as { info: object; schema: object }
  return encodePaymentSignatureHeader({
    ...payload,
    extensions: { 'payment-identifier': { ...declaration, info: { ...declaration.info, id } } },
  })
}

async function paidProof(signer: number, requirements: PaymentRequirements) {
  const paid = await transfer(devnet, { from: signer, to: payTo, amount: BigInt(requirements.amount) })
  return proofHeader(devnet, { signer, requirements, hash: paid.hash })
}

describe('gate: x402 payment-identifier', () => {
  test('behavior: declared in the 402; the same payload and id -> the kept response; another payload or payer with that id -> 409', async () => {
    const gate = await startGate()
    try {
      const { required, tx } = await quoted(await gate.get())
      expect(required.extensions?.['payment-identifier']).toEqual({
        info: { required: false },
        schema: expect.objectContaining({ required: ['required'] }),
      })
      const id = 'pay_00000000000000000000000000000001'
      const header = withId(await paidProof(2, tx), required, id)
      const served = await gate.get(header)
      expect(await served.json()).toEqual({ results: ['paid'], run: 1 })
      const replayed = await gate.get(header)
      expect(replayed.headers.get('payment-replay')).toBe('true')
      expect(await replayed.json()).toEqual({ results: ['paid'], run: 1 })
      // Another payer's valid payment under the same identifier.
      const stranger = withId(await paidProof(3, tx), required, id)
      const conflict = await gate.get(stranger)
      expect(conflict.status).toBe(409)
      expect(await conflict.json()).toMatchObject({ error: 'payment_identifier_conflict' })
      // The same payer's new payment under the same identifier.
      const again = withId(await paidProof(2, tx), required, id)
      expect((await gate.get(again)).status).toBe(409)
      expect(gate.runs()).toBe(1)
      // A new identifier with that new payment is a new payment.
      const fresh = await gate.get(withId(again, required, 'pay_00000000000000000000000000000002'))
      expect(await fresh.json()).toEqual({ results: ['paid'], run: 2 })
    } finally {
      await gate.close()
    }
  })

  test('error: an identifier of the wrong format -> 400 payment_identifier_invalid, nothing claimed', async () => {
    const gate = await startGate()
    try {
      const { required, tx } = await quoted(await gate.get())
      const proof = await paidProof(4, tx)
      for (const id of ['too_short', 'pay_has space_000000000', 'x'.repeat(129), 7]) {
        const refused = await gate.get(withId(proof, required, id))
        expect(refused.status).toBe(400)
        expect(await refused.json()).toMatchObject({ error: 'payment_identifier_invalid' })
      }
      // The payment itself was never claimed: it still pays, with a valid identifier.
      const served = await gate.get(withId(proof, required, 'pay_00000000000000000000000000000003'))
      expect(served.status).toBe(200)
      expect(gate.runs()).toBe(1)
    } finally {
      await gate.close()
    }
  })

  test('error: required and missing -> 400 payment_identifier_required; the 402 says required', async () => {
    const gate = await startGate(true)
    try {
      const { required, tx } = await quoted(await gate.get())
      expect(required.extensions?.['payment-identifier']).toMatchObject({ info: { required: true } })
      const proof = await paidProof(5, tx)
      const refused = await gate.get(proof)
      expect(refused.status).toBe(400)
      expect(await refused.json()).toMatchObject({ error: 'payment_identifier_required' })
      expect((await gate.get(withId(proof, required, 'pay_00000000000000000000000000000004'))).status).toBe(
        200,
      )
    } finally {
      await gate.close()
    }
  })
})
