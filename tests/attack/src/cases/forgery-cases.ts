import {
  createKeyring,
  encodePass,
  encodePaymentSignatureHeader,
  issueChallenge,
  type PaymentRequirements,
} from '@tollgate/core'
import { offerOf } from '../offer-of.js'
import { passOf } from '../pass-of.js'
import type { AttackCase, CaseContext, Expectation } from '../run-case.js'
import { SECRET } from '../start-world.js'
import { txProofHeader } from '../tx-proof-header.js'
import { POST, PRICE, paidRequest, SEARCH } from './paid-request.js'
import { payRoute } from './pay-route.js'

// Challenges and passes are HMAC tokens only the merchant can mint: an edited, re-signed, moved
// or stale one is refused, and a real pass covers only what it was sold for.

const OTHER_SECRET = 'not-the-merchant-secret-not-the-merchant-secret'
const PASS_HEADER = 'X-Payment-Pass'

const refusedPaid = (code: string | string[], status: number | number[] = 402): Expectation => ({
  status,
  code,
  handlerRuns: 0,
  moved: PRICE.search,
})

/** Decodes a `base64url(payload).base64url(mac)` token's payload. */
function tokenPayload(token: string): Record<string, unknown> {
  return JSON.parse(Buffer.from(token.split('.')[0]!, 'base64url').toString()) as Record<string, unknown>
}

/** Re-encodes a token's payload after `edit`, keeping its MAC. */
function editToken(token: string, edit: (payload: Record<string, unknown>) => void): string {
  const payload = tokenPayload(token)
  edit(payload)
  return `${Buffer.from(JSON.stringify(payload)).toString('base64url')}.${token.split('.')[1]}`
}

/** Pays the search honestly, then proves it over `challenge` (signed over and sent). */
async function proveOver(
  context: CaseContext,
  challenge: (requirements: PaymentRequirements) => Promise<string> | string,
  accepted?: (requirements: PaymentRequirements) => PaymentRequirements,
) {
  const paid = await payRoute(context, context.a)
  const header = await txProofHeader({
    requirements: paid.requirements,
    hash: paid.hash,
    signer: paid.payer,
    challenge: await challenge(paid.requirements),
    ...(accepted === undefined ? {} : { accepted: accepted(paid.requirements) }),
  })
  return context.send(context.a, paidRequest(SEARCH, header))
}

/** Buys the search pass on instance A (route `route`) and returns its token. */
async function buyPass(context: CaseContext, route = '/api/pass'): Promise<string> {
  const paid = await payRoute(context, context.a, { method: 'POST', path: route })
  const response = await context.send(context.a, paidRequest({ method: 'POST', path: route }, paid.header))
  const token = passOf(response.headers)
  if (response.status !== 200 || token === undefined) {
    throw new Error(`the pass was not sold: ${response.status} ${response.body}`)
  }
  return token
}

const withPass = (token: string) => ({ name: PASS_HEADER, value: token })

export const forgeryCases: AttackCase[] = [
  {
    name: 'forgery: challenge with the amount edited down, MAC kept',
    family: 'forgery',
    expect: refusedPaid(['challenge_invalid', 'challenge_mismatch', 'challenge_malformed'], [400, 402]),
    run: (context) =>
      proveOver(context, (requirements) =>
        editToken(requirements.extra.challenge as string, (payload) => {
          payload.amt = '1'
        }),
      ),
  },
  {
    name: 'forgery: challenge with its expiry pushed back, MAC kept',
    family: 'forgery',
    expect: refusedPaid(['challenge_invalid', 'challenge_malformed'], [400, 402]),
    run: (context) =>
      proveOver(context, (requirements) =>
        editToken(requirements.extra.challenge as string, (payload) => {
          for (const key of Object.keys(payload)) {
            if (typeof payload[key] === 'number' && key !== 'v')
              payload[key] = (payload[key] as number) + 86_400
          }
        }),
      ),
  },
  {
    name: 'forgery: challenge minted with another secret',
    family: 'forgery',
    expect: refusedPaid(['challenge_invalid', 'challenge_malformed'], [400, 402]),
    run: (context) =>
      proveOver(context, (requirements) =>
        issueChallenge(
          {
            route: 'GET /api/search',
            network: requirements.network,
            asset: requirements.asset,
            payTo: requirements.payTo,
            amount: requirements.amount,
          },
          { keyring: createKeyring(OTHER_SECRET) },
        ),
      ),
  },
  {
    name: 'forgery: challenge truncated',
    family: 'forgery',
    expect: refusedPaid(['challenge_invalid', 'challenge_malformed'], [400, 402]),
    run: (context) =>
      proveOver(context, (requirements) => (requirements.extra.challenge as string).slice(0, 40)),
  },
  {
    name: 'forgery: challenge of another route (the dearer POST paid at the search price)',
    family: 'forgery',
    expect: {
      status: 402,
      code: ['challenge_mismatch', 'verify_amount_insufficient', 'requirements_mismatch'],
      handlerRuns: 0,
      moved: PRICE.search,
    },
    run: async (context) => {
      const paid = await payRoute(context, context.a)
      const header = await txProofHeader({
        requirements: paid.requirements,
        hash: paid.hash,
        signer: paid.payer,
      })
      return context.send(context.a, paidRequest(POST, header))
    },
  },
  {
    name: 'forgery: challenge of the search used on /api/items/:id',
    family: 'forgery',
    expect: {
      status: 402,
      code: ['challenge_mismatch', 'requirements_mismatch'],
      handlerRuns: 0,
      moved: PRICE.search,
    },
    run: async (context) => {
      const paid = await payRoute(context, context.a)
      const header = await txProofHeader({
        requirements: paid.requirements,
        hash: paid.hash,
        signer: paid.payer,
      })
      return context.send(context.a, paidRequest({ method: 'GET', path: '/api/items/9' }, header))
    },
  },
  {
    name: 'forgery: accepted amount lowered to one unit',
    family: 'forgery',
    expect: refusedPaid(['requirements_mismatch', 'challenge_mismatch']),
    run: (context) =>
      proveOver(
        context,
        (requirements) => requirements.extra.challenge as string,
        (requirements) => ({ ...requirements, amount: '1' }),
      ),
  },
  {
    name: 'forgery: accepted payTo changed to the payer',
    family: 'forgery',
    expect: refusedPaid(['requirements_mismatch', 'challenge_mismatch']),
    run: (context) =>
      proveOver(
        context,
        (requirements) => requirements.extra.challenge as string,
        (requirements) => ({ ...requirements, payTo: '0x000000000000000000000000000000000000dEaD' }),
      ),
  },
  {
    name: 'forgery: accepted asset changed to the 18-decimal token',
    family: 'forgery',
    expect: refusedPaid(['requirements_mismatch', 'challenge_mismatch', 'asset_unknown']),
    run: (context) =>
      proveOver(
        context,
        (requirements) => requirements.extra.challenge as string,
        (requirements) => ({ ...requirements, asset: context.world.devnet.tokens.usdc18.address }),
      ),
  },
  {
    name: 'forgery: challenge omitted from the payload and from the signed message',
    family: 'forgery',
    expect: { status: [400, 402], code: 'any', handlerRuns: 0, moved: PRICE.search },
    run: async (context) => {
      const paid = await payRoute(context, context.a)
      const header = await txProofHeader({
        requirements: { ...paid.requirements, extra: { ...paid.requirements.extra, challenge: '' } },
        hash: paid.hash,
        signer: paid.payer,
        payloadChallenge: 'omit',
      })
      return context.send(context.a, paidRequest(SEARCH, header))
    },
  },
  {
    name: 'forgery: payment header that is not base64 JSON',
    family: 'forgery',
    expect: { status: 400, code: ['header_malformed', 'invalid_payload'], handlerRuns: 0 },
    run: (context) =>
      context.send(context.a, paidRequest(SEARCH, { name: 'PAYMENT-SIGNATURE', value: '%%%not-base64%%%' })),
  },
  {
    name: 'forgery: payment header of 9 kB',
    family: 'forgery',
    expect: { status: [400, 431], code: ['header_too_large'], handlerRuns: 0 },
    run: (context) =>
      context.send(context.a, paidRequest(SEARCH, { name: 'PAYMENT-SIGNATURE', value: 'A'.repeat(9_000) })),
  },
  {
    name: 'forgery: x402Version 3',
    family: 'forgery',
    expect: { status: 400, code: ['invalid_x402_version', 'invalid_payload'], handlerRuns: 0 },
    run: async (context) => {
      const offer = await offerOf(context.a, SEARCH.method, SEARCH.path)
      const value = Buffer.from(JSON.stringify({ x402Version: 3, accepted: offer.tx, payload: {} })).toString(
        'base64',
      )
      return context.send(context.a, paidRequest(SEARCH, { name: 'PAYMENT-SIGNATURE', value }))
    },
  },
  {
    name: 'forgery: a scheme the merchant does not offer',
    family: 'forgery',
    expect: {
      status: [400, 402],
      code: ['unsupported_scheme', 'requirements_mismatch', 'invalid_payload'],
      handlerRuns: 0,
    },
    run: async (context) => {
      const offer = await offerOf(context.a, SEARCH.method, SEARCH.path)
      const value = encodePaymentSignatureHeader({
        x402Version: 2,
        accepted: { ...offer.tx, scheme: 'free' },
        payload: { please: true },
      })
      return context.send(context.a, paidRequest(SEARCH, { name: 'PAYMENT-SIGNATURE', value }))
    },
  },
  {
    name: 'forgery: pass of random bytes',
    family: 'forgery',
    expect: { status: [400, 402], code: ['pass_malformed', 'pass_signature_invalid'], handlerRuns: 0 },
    run: (context) => context.send(context.a, paidRequest(SEARCH, withPass('eyJ2IjoxfQ.AAAA'))),
  },
  {
    name: 'forgery: pass minted with another secret',
    family: 'forgery',
    expect: { status: 402, code: ['pass_signature_invalid', 'pass_key_unknown'], handlerRuns: 0 },
    run: async (context) => {
      const { token } = await encodePass(
        {
          sub: '0x000000000000000000000000000000000000dEaD',
          scope: { routes: ['GET /api/search'] },
          ttlSeconds: 600,
        },
        { keyring: createKeyring(OTHER_SECRET) },
      )
      return context.send(context.a, paidRequest(SEARCH, withPass(token)))
    },
  },
  {
    name: 'forgery: a real pass with its scope widened, MAC kept',
    family: 'forgery',
    expect: {
      status: [400, 402],
      code: ['pass_signature_invalid', 'pass_malformed'],
      handlerRuns: 1,
      moved: PRICE.pass,
    },
    run: async (context) => {
      const token = await buyPass(context)
      const widened = editToken(token, (payload) => {
        payload.scope = { routes: ['POST /api/post', 'GET /api/search'] }
      })
      return context.send(context.a, paidRequest(POST, withPass(widened)))
    },
  },
  {
    name: 'forgery: a real pass with its expiry pushed back, MAC kept',
    family: 'forgery',
    expect: {
      status: [400, 402],
      code: ['pass_signature_invalid', 'pass_malformed'],
      handlerRuns: 1,
      moved: PRICE.pass,
    },
    run: async (context) => {
      const token = await buyPass(context)
      const later = editToken(token, (payload) => {
        payload.exp = (payload.exp as number) + 86_400 * 365
      })
      return context.send(context.a, paidRequest(SEARCH, withPass(later)))
    },
  },
  {
    name: 'forgery: a pass that expired',
    family: 'forgery',
    expect: { status: 402, code: 'pass_expired', handlerRuns: 0 },
    run: async (context) => {
      const { token } = await encodePass(
        {
          sub: '0x000000000000000000000000000000000000dEaD',
          scope: { routes: ['GET /api/search'] },
          ttlSeconds: 60,
          iat: Math.floor(Date.now() / 1000) - 3600,
        },
        { keyring: createKeyring(SECRET) },
      )
      return context.send(context.a, paidRequest(SEARCH, withPass(token)))
    },
  },
  {
    name: 'forgery: control, a real pass admits the search on both instances',
    family: 'forgery',
    expect: { status: 200, code: null, handlerRuns: 3, moved: PRICE.pass },
    run: async (context) => {
      const token = await buyPass(context)
      await context.send(context.a, paidRequest(SEARCH, withPass(token)))
      return context.send(context.b, paidRequest(SEARCH, withPass(token)))
    },
  },
  {
    name: 'forgery: a real search pass used on POST /api/post',
    family: 'forgery',
    expect: { status: 402, code: 'pass_scope_mismatch', handlerRuns: 1, moved: PRICE.pass },
    run: async (context) => context.send(context.b, paidRequest(POST, withPass(await buyPass(context)))),
  },
  {
    name: 'forgery: a real search pass used on /api/items/:id',
    family: 'forgery',
    expect: { status: 402, code: 'pass_scope_mismatch', handlerRuns: 1, moved: PRICE.pass },
    run: async (context) =>
      context.send(
        context.a,
        paidRequest({ method: 'GET', path: '/api/items/1' }, withPass(await buyPass(context))),
      ),
  },
  {
    name: 'forgery: a two-use pass used a third time, across instances',
    family: 'forgery',
    expect: { status: 402, code: 'pass_uses_exhausted', handlerRuns: 3, moved: PRICE.pass },
    run: async (context) => {
      const token = await buyPass(context, '/api/pass-limited')
      await context.send(context.a, paidRequest(SEARCH, withPass(token)))
      await context.send(context.b, paidRequest(SEARCH, withPass(token)))
      return context.send(context.a, paidRequest(SEARCH, withPass(token)))
    },
  },
  {
    name: 'forgery: a pass bought with a forged Host works the same (origin from configuration)',
    family: 'forgery',
    expect: { status: 200, code: null, handlerRuns: 2, moved: PRICE.pass },
    run: async (context) => {
      const paid = await payRoute(context, context.a, { method: 'POST', path: '/api/pass' })
      const bought = await context.send(context.a, {
        ...paidRequest({ method: 'POST', path: '/api/pass' }, paid.header),
        host: ['evil.example'],
      })
      const token = passOf(bought.headers)
      if (token === undefined) throw new Error(`no pass sold: ${bought.status}`)
      const origin = (tokenPayload(token).scope as { origin?: string } | undefined)?.origin
      if (origin?.includes('evil.example')) throw new Error(`pass origin from Host: ${origin}`)
      return context.send(context.b, paidRequest(SEARCH, withPass(token)))
    },
  },
]
