import { createProofMessage } from '@tollgate/core'
import { type Hex, hexToSignature, signatureToHex } from 'viem'
import { exactHeader } from '../exact-header.js'
import { offerOf } from '../offer-of.js'
import type { RawResponse } from '../raw-http.js'
import type { AttackCase, CaseContext, Expectation } from '../run-case.js'
import { settlementOf } from '../settlement-of.js'
import { txProofHeader } from '../tx-proof-header.js'
import { exactSignature } from './exact-signature.js'
import { POST, PRICE, paidRequest, SEARCH } from './paid-request.js'
import { payRoute } from './pay-route.js'
import { sendAtOnce } from './send-at-once.js'
import { spentAnswer } from './spent-answer.js'

// ARCHITECTURE.md G2 and G4: a payment is sold once, across requests, instances, schemes
// and restarts. An in-flight duplicate is 409 `payment_in_progress`, a spent one 402
// `payment_already_used`.

const spent: Expectation = { status: 402, code: 'payment_already_used', handlerRuns: 1, moved: PRICE.search }
const refusedDuplicate = (moved: bigint): Expectation => ({
  status: [402, 409],
  code: ['payment_already_used', 'payment_in_progress'],
  handlerRuns: 1,
  moved,
})

/** Of many answers to one payment: a second success if there is one, else a refusal. */
function decisive(responses: RawResponse[]): RawResponse {
  const success = (response: RawResponse) => response.status >= 200 && response.status < 300
  const served = responses.filter(success)
  // A copy that got the kept answer back (`Payment-Replay: true`) was not served again; the runner
  // checks that the handler did not run again and no money moved. Responses are in sending order,
  // not answering order, so the one fresh service may come after a replay.
  const fresh = served.filter((response) => response.headers['payment-replay'] !== 'true')
  if (fresh.length > 1) return fresh[1]!
  return (
    responses.find((response) => !success(response)) ??
    served.find((response) => !fresh.includes(response)) ??
    served[0]!
  )
}

async function servedOnce(context: CaseContext, request: Parameters<CaseContext['send']>[1]) {
  const first = await context.send(context.a, request)
  if (first.status !== 200 && first.status !== 201) {
    throw new Error(`the honest payment was not served: ${first.status} ${first.body}`)
  }
  return first
}

/** Pays POST /api/post with `exact` on instance A and returns the settlement transaction. */
async function payExact(context: CaseContext) {
  const payer = await context.payer()
  const offer = await offerOf(context.a, POST.method, POST.path)
  const header = exactSignature(await exactHeader(context.world, payer, offer.exact))
  const response = await servedOnce(context, paidRequest(POST, header))
  const settlement = settlementOf(response.headers)
  if (settlement === undefined) throw new Error('no settlement transaction in PAYMENT-RESPONSE')
  return { payer, offer, header, settlement }
}

/** High-s twin of a signature: the same signer, other bytes. */
function malleate(signature: Hex): Hex {
  const n = 0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141n
  const parts = hexToSignature(signature)
  const s = n - BigInt(parts.s)
  return signatureToHex({
    r: parts.r,
    s: `0x${s.toString(16).padStart(64, '0')}`,
    yParity: parts.yParity === 0 ? 1 : 0,
  })
}

export const replayCases: AttackCase[] = [
  {
    name: 'replay: control, a paid search is served once',
    family: 'replay',
    expect: { status: 200, code: null, handlerRuns: 1, moved: PRICE.search },
    run: async (context) =>
      context.send(context.a, paidRequest(SEARCH, (await payRoute(context, context.a)).header)),
  },
  {
    name: 'replay: the same tx proof again on the same instance',
    family: 'replay',
    expect: spent,
    run: async (context) => {
      const { header } = await payRoute(context, context.a)
      await servedOnce(context, paidRequest(SEARCH, header))
      return context.send(context.a, paidRequest(SEARCH, header))
    },
  },
  {
    name: 'replay: the same tx proof on the other instance',
    family: 'replay',
    expect: spent,
    run: async (context) => {
      const { header } = await payRoute(context, context.a)
      await servedOnce(context, paidRequest(SEARCH, header))
      return context.send(context.b, paidRequest(SEARCH, header))
    },
  },
  {
    name: 'replay: the same tx proof with another query string',
    family: 'replay',
    expect: spent,
    run: async (context) => {
      const { header } = await payRoute(context, context.a)
      await servedOnce(context, paidRequest(SEARCH, header))
      return context.send(context.b, { ...paidRequest(SEARCH, header), target: '/api/search?q=other' })
    },
  },
  {
    name: 'replay: the same tx proof on a differently-cased path',
    family: 'replay',
    expect: spent,
    run: async (context) => {
      const { header } = await payRoute(context, context.a)
      await servedOnce(context, paidRequest(SEARCH, header))
      return context.send(context.a, { ...paidRequest(SEARCH, header), target: '/API/SEARCH/' })
    },
  },
  {
    name: 'replay: the transaction hash upper-cased',
    family: 'replay',
    // Signed over the upper-cased hash: refused as spent, malformed, or not the payer's signature.
    expect: {
      ...spent,
      status: [400, 402],
      code: ['payment_already_used', 'invalid_payload', 'verify_payer_mismatch', 'verify_signature_invalid'],
    },
    run: async (context) => {
      const paid = await payRoute(context, context.a)
      await servedOnce(context, paidRequest(SEARCH, paid.header))
      const upper = `0x${paid.hash.slice(2).toUpperCase()}`
      const header = await txProofHeader({ requirements: paid.requirements, hash: upper, signer: paid.payer })
      return context.send(context.a, paidRequest(SEARCH, header))
    },
  },
  {
    name: 'replay: the same transaction proven over a fresh challenge',
    family: 'replay',
    expect: spent,
    run: async (context) => {
      const paid = await payRoute(context, context.a)
      await servedOnce(context, paidRequest(SEARCH, paid.header))
      const fresh = await offerOf(context.b, 'GET', '/api/search')
      const header = await txProofHeader({ requirements: fresh.tx, hash: paid.hash, signer: paid.payer })
      return context.send(context.b, paidRequest(SEARCH, header))
    },
  },
  {
    name: 'replay: the same proof as x402 v1 X-PAYMENT',
    family: 'replay',
    expect: {
      ...spent,
      status: [400, 402],
      code: ['payment_already_used', 'invalid_payload', 'invalid_x402_version'],
    },
    run: async (context) => {
      const paid = await payRoute(context, context.a)
      await servedOnce(context, paidRequest(SEARCH, paid.header))
      const header = await txProofHeader({
        requirements: paid.requirements,
        hash: paid.hash,
        signer: paid.payer,
        v1: true,
      })
      return context.send(context.b, paidRequest(SEARCH, header))
    },
  },
  {
    name: 'replay: a high-s twin of the proof signature',
    family: 'replay',
    expect: { ...spent, code: ['payment_already_used', 'verify_signature_invalid'] },
    run: async (context) => {
      const paid = await payRoute(context, context.a)
      await servedOnce(context, paidRequest(SEARCH, paid.header))
      const message = createProofMessage({
        network: paid.requirements.network,
        transaction: paid.hash,
        challenge: paid.requirements.extra.challenge as string,
      })
      const signature = malleate(await paid.payer.account.signMessage({ message }))
      const header = await txProofHeader({
        requirements: paid.requirements,
        hash: paid.hash,
        signer: paid.payer,
        signature,
      })
      return context.send(context.a, paidRequest(SEARCH, header))
    },
  },
  {
    name: 'replay: 10 copies at once on one instance',
    family: 'replay',
    expect: refusedDuplicate(PRICE.search),
    run: async (context) => {
      const { header } = await payRoute(context, context.a)
      return decisive(await sendAtOnce(context, [context.a], 10, paidRequest(SEARCH, header)))
    },
  },
  {
    name: 'replay: 24 copies at once across both instances',
    family: 'replay',
    expect: refusedDuplicate(PRICE.search),
    run: async (context) => {
      const { header } = await payRoute(context, context.a)
      return decisive(await sendAtOnce(context, [context.a, context.b], 24, paidRequest(SEARCH, header)))
    },
  },
  {
    name: 'replay: 8 copies at once of a POST across both instances',
    family: 'replay',
    expect: refusedDuplicate(PRICE.post),
    run: async (context) => {
      const { header } = await payRoute(context, context.a, POST)
      return decisive(await sendAtOnce(context, [context.a, context.b], 8, paidRequest(POST, header)))
    },
  },
  {
    name: 'replay: an exact authorization again on the same instance',
    family: 'replay',
    expect: {
      status: 402,
      code: ['payment_already_used', 'invalid_exact_evm_nonce_already_used'],
      handlerRuns: 1,
      moved: PRICE.post,
    },
    run: async (context) => {
      const { header } = await payExact(context)
      return context.send(context.a, paidRequest(POST, header))
    },
  },
  {
    name: 'replay: an exact authorization on the other instance',
    family: 'replay',
    expect: {
      status: 402,
      code: ['payment_already_used', 'invalid_exact_evm_nonce_already_used'],
      handlerRuns: 1,
      moved: PRICE.post,
    },
    run: async (context) => {
      const { header } = await payExact(context)
      return context.send(context.b, paidRequest(POST, header))
    },
  },
  {
    name: 'replay: 8 copies of an exact authorization at once across both instances',
    family: 'replay',
    expect: {
      status: [402, 409],
      code: ['payment_already_used', 'payment_in_progress', 'invalid_exact_evm_nonce_already_used'],
      handlerRuns: 1,
      moved: PRICE.post,
    },
    run: async (context) => {
      const payer = await context.payer()
      const offer = await offerOf(context.a, POST.method, POST.path)
      const header = exactSignature(await exactHeader(context.world, payer, offer.exact))
      return decisive(await sendAtOnce(context, [context.a, context.b], 8, paidRequest(POST, header)))
    },
  },
  {
    name: 'replay: cross-scheme, the exact settlement proven as a tx payment',
    family: 'replay',
    expect: { status: 402, code: 'any', handlerRuns: 1, moved: PRICE.post },
    run: async (context) => {
      const { payer, settlement } = await payExact(context)
      const fresh = await offerOf(context.a, POST.method, POST.path)
      const header = await txProofHeader({ requirements: fresh.tx, hash: settlement, signer: payer })
      return context.send(context.a, paidRequest(POST, header))
    },
  },
  {
    name: 'replay: cross-scheme, the exact settlement proven as a tx payment on the other instance',
    family: 'replay',
    expect: { status: 402, code: 'any', handlerRuns: 1, moved: PRICE.post },
    run: async (context) => {
      const { payer, settlement } = await payExact(context)
      const fresh = await offerOf(context.b, SEARCH.method, SEARCH.path)
      const header = await txProofHeader({ requirements: fresh.tx, hash: settlement, signer: payer })
      return context.send(context.b, paidRequest(SEARCH, header))
    },
  },
  {
    name: 'replay: after kill -9 and a restart of the instance that served it',
    family: 'replay',
    serial: true,
    expect: spent,
    run: async (context) => {
      const { header } = await payRoute(context, context.a)
      await servedOnce(context, paidRequest(SEARCH, header))
      // Crash once the proof is spent, not while its commit may still be on its way.
      await spentAnswer(context, context.b, paidRequest(SEARCH, header))
      await context.world.restart(0)
      return context.send(context.world.merchants[0], paidRequest(SEARCH, header))
    },
  },
  {
    name: 'replay: after kill -9 of the instance right after it answered',
    family: 'replay',
    serial: true,
    expect: { ...spent, status: [402, 409], code: ['payment_already_used', 'payment_in_progress'] },
    run: async (context) => {
      const { header } = await payRoute(context, context.a)
      await servedOnce(context, paidRequest(SEARCH, header))
      await context.world.restart(0)
      return context.send(context.world.merchants[0], paidRequest(SEARCH, header))
    },
  },
]
