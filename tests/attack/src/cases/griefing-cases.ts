import { exactHeader } from '../exact-header.js'
import { offerOf } from '../offer-of.js'
import type { RawResponse } from '../raw-http.js'
import type { AttackCase, CaseContext } from '../run-case.js'
import type { Merchant } from '../start-merchant.js'
import { txProofHeader } from '../tx-proof-header.js'
import { until } from '../until.js'
import { exactSignature } from './exact-signature.js'
import { PRICE, paidRequest, SEARCH } from './paid-request.js'
import { payRoute } from './pay-route.js'

// ARCHITECTURE.md G2: a proof whose signature is not the payer's never holds the payer's
// claim. A stranger who watches payTo and floods proofs of the victim's hash, under a slow RPC,
// cannot make the victim's own first try fail.

/**
 * The victim pays; `bogus` proofs of its hash (signed by throwaway keys, or with `signature`)
 * reach `attacked` while the RPC holds every look-up of that hash; then the victim's proof
 * reaches `victimAt`; then the RPC answers. Returns the victim's answer.
 */
async function flood(
  context: CaseContext,
  options: { bogus: number; attacked: Merchant; victimAt: Merchant; signature?: string },
): Promise<RawResponse> {
  const paid = await payRoute(context, context.a)
  const rule = context.world.proxy.add(
    (call) => call.method === 'eth_getTransactionReceipt' && call.params?.[0] === paid.hash,
    { kind: 'hold' },
  )
  let answered = 0
  const bogus = await Promise.all(
    Array.from({ length: options.bogus }, async () => {
      const thief = await context.world.newPayer(0n)
      return txProofHeader({
        requirements: paid.requirements,
        hash: paid.hash,
        signer: thief,
        ...(options.signature === undefined ? {} : { signature: options.signature }),
      })
    }),
  )
  const attacks = bogus.map((header) =>
    context.send(options.attacked, paidRequest(SEARCH, header)).finally(() => {
      answered++
    }),
  )
  // Every bogus proof is either held at the RPC or already refused: the victim comes after them.
  await until(() => rule.hits + answered >= options.bogus)
  const heldBefore = rule.hits
  let victimDone = false
  const victim = context.send(options.victimAt, paidRequest(SEARCH, paid.header)).finally(() => {
    victimDone = true
  })
  await until(() => victimDone || rule.hits > heldBefore)
  rule.remove()
  const results = await Promise.all(attacks)
  const served = results.filter((response) => response.status < 300).length
  if (served > 0) throw new Error(`${served} bogus proofs were served`)
  return victim
}

const served = { status: 200, code: null, handlerRuns: 1, moved: PRICE.search } as const

export const griefingCases: AttackCase[] = [
  {
    name: "griefing: 8 bogus proofs of the victim's hash under a held RPC, same instance",
    family: 'griefing',
    expect: served,
    run: (context) => flood(context, { bogus: 8, attacked: context.a, victimAt: context.a }),
  },
  {
    name: "griefing: 8 bogus proofs of the victim's hash under a held RPC, other instance",
    family: 'griefing',
    expect: served,
    run: (context) => flood(context, { bogus: 8, attacked: context.a, victimAt: context.b }),
  },
  {
    name: "griefing: 4 proofs of the victim's hash with garbage signatures under a held RPC",
    family: 'griefing',
    expect: served,
    run: (context) =>
      flood(context, {
        bogus: 4,
        attacked: context.b,
        victimAt: context.a,
        signature: `0x${'ab'.repeat(65)}`,
      }),
  },
  {
    name: 'griefing: a bogus proof refused first, then the victim',
    family: 'griefing',
    expect: served,
    run: async (context) => {
      const paid = await payRoute(context, context.a)
      const thief = await context.world.newPayer(0n)
      const header = await txProofHeader({ requirements: paid.requirements, hash: paid.hash, signer: thief })
      const refused = await context.send(context.b, paidRequest(SEARCH, header))
      if (refused.status < 300) throw new Error('the bogus proof was served')
      return context.send(context.a, paidRequest(SEARCH, paid.header))
    },
  },
  {
    name: "griefing: the victim's exact authorization sent first with a tampered accepted",
    family: 'griefing',
    expect: served,
    run: async (context) => {
      const payer = await context.payer()
      const offer = await offerOf(context.a, SEARCH.method, SEARCH.path)
      const honest = await exactHeader(context.world, payer, offer.exact)
      const payload = JSON.parse(Buffer.from(honest, 'base64').toString()) as { accepted: { amount: string } }
      payload.accepted.amount = '1'
      const tampered = Buffer.from(JSON.stringify(payload)).toString('base64')
      const refused = await context.send(context.b, paidRequest(SEARCH, exactSignature(tampered)))
      if (refused.status < 300) throw new Error('the tampered authorization was served')
      return context.send(context.a, paidRequest(SEARCH, exactSignature(honest)))
    },
  },
]
