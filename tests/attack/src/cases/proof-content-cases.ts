import type { PaymentRequirements } from '@tollgate/core'
import { type Address, getAddress, type Hex, toHex } from 'viem'
import { exactHeader } from '../exact-header.js'
import { offerOf } from '../offer-of.js'
import type { AttackCase, CaseContext, Expectation } from '../run-case.js'
import { sendTransfer } from '../send-transfer.js'
import type { Payer } from '../start-world.js'
import { txProofHeader } from '../tx-proof-header.js'
import { exactSignature } from './exact-signature.js'
import { PRICE, paidRequest, SEARCH } from './paid-request.js'
import { payRoute } from './pay-route.js'

// What a proof proves: a transfer of the right asset and amount to the merchant, on this chain,
// inside the acceptance window, confirmed, not reverted, and signed by the payer.

const refused = (code: string | string[], moved = 0n): Expectation => ({
  status: 402,
  code,
  handlerRuns: 0,
  moved,
})

type Transfer = Parameters<typeof sendTransfer>[2]

/** Pays the search with a transfer `change` alters, and proves it with `payer`'s (or `signer`'s) key. */
async function proveTransfer(
  context: CaseContext,
  change: (requirements: PaymentRequirements, world: CaseContext['world']) => Partial<Transfer>,
  options: { signer?: Payer; payer?: Payer; proof?: Partial<Parameters<typeof txProofHeader>[0]> } = {},
) {
  const payer = options.payer ?? (await context.payer())
  const offer = await offerOf(context.a, SEARCH.method, SEARCH.path)
  const requirements = offer.tx
  const paid = await sendTransfer(context.world, payer, {
    to: requirements.payTo as Address,
    amount: BigInt(requirements.amount),
    ...change(requirements, context.world),
  })
  const header = await txProofHeader({
    requirements,
    hash: paid.hash,
    signer: options.signer ?? payer,
    ...options.proof,
  })
  return context.send(context.a, paidRequest(SEARCH, header))
}

/** Pays the search with an `exact` authorization from a fresh payer, changed by `overrides`. */
async function payExactWith(
  context: CaseContext,
  overrides: (requirements: PaymentRequirements, other: Payer) => Parameters<typeof exactHeader>[3],
  usdc?: bigint,
) {
  const payer = await context.payer(usdc)
  const other = await context.payer(0n)
  const offer = await offerOf(context.a, SEARCH.method, SEARCH.path)
  const value = await exactHeader(context.world, payer, offer.exact, overrides(offer.exact, other))
  return context.send(context.a, paidRequest(SEARCH, exactSignature(value)))
}

const nowSeconds = () => BigInt(Math.floor(Date.now() / 1000))
const stranger = getAddress('0x000000000000000000000000000000000000dEaD')

export const proofContentCases: AttackCase[] = [
  {
    name: 'proof: control, an honest tx payment with a blockNumber hint',
    family: 'proof content',
    expect: { status: 200, handlerRuns: 1, moved: PRICE.search },
    run: (context) => proveTransfer(context, () => ({}), { proof: { blockNumber: '0x1' } }),
  },
  {
    name: 'proof: recipient, a transfer to someone else',
    family: 'proof content',
    expect: refused('verify_recipient_mismatch'),
    run: (context) => proveTransfer(context, () => ({ to: stranger })),
  },
  {
    name: 'proof: recipient, a transfer to the settler instead of payTo',
    family: 'proof content',
    expect: refused('verify_recipient_mismatch'),
    run: (context) => proveTransfer(context, (_, world) => ({ to: world.devnet.accounts[7]!.address })),
  },
  {
    name: 'proof: asset, the 18-decimal token instead of USDC',
    family: 'proof content',
    expect: refused(['verify_asset_mismatch', 'verify_amount_insufficient']),
    run: (context) =>
      proveTransfer(context, (requirements, world) => ({
        token: world.devnet.tokens.usdc18.address,
        amount: BigInt(requirements.amount) * 10n ** 12n,
      })),
  },
  {
    name: 'proof: asset, ether instead of USDC',
    family: 'proof content',
    expect: refused(['verify_asset_mismatch', 'verify_recipient_mismatch']),
    run: (context) => proveTransfer(context, () => ({ token: 'native', amount: 10n ** 15n })),
  },
  {
    name: 'proof: amount, one unit short',
    family: 'proof content',
    expect: refused('verify_amount_insufficient', PRICE.search - 1n),
    run: (context) =>
      proveTransfer(context, (requirements) => ({ amount: BigInt(requirements.amount) - 1n })),
  },
  {
    name: 'proof: amount, zero',
    family: 'proof content',
    expect: refused(['verify_amount_insufficient', 'verify_recipient_mismatch', 'verify_payer_mismatch']),
    run: (context) => proveTransfer(context, () => ({ amount: 0n })),
  },
  {
    name: 'proof: amount, the price of a cheaper route for a dearer one',
    family: 'proof content',
    expect: refused('verify_amount_insufficient', PRICE.search),
    run: async (context) => {
      const payer = await context.payer()
      const offer = await offerOf(context.a, 'GET', '/api/items/7')
      const paid = await sendTransfer(context.world, payer, {
        to: offer.tx.payTo as Address,
        amount: PRICE.search,
      })
      const header = await txProofHeader({ requirements: offer.tx, hash: paid.hash, signer: payer })
      return context.send(context.a, paidRequest({ method: 'GET', path: '/api/items/7' }, header))
    },
  },
  {
    name: 'proof: reverted, a transfer of more than the balance mined as failed',
    family: 'proof content',
    expect: refused('verify_tx_failed'),
    run: async (context) => {
      const payer = await context.payer(10n)
      return proveTransfer(context, () => ({ forceGas: true }), { payer })
    },
  },
  {
    name: 'proof: signer, signed by a key that did not pay',
    family: 'proof content',
    expect: refused(['verify_payer_mismatch', 'verify_signature_invalid'], PRICE.search),
    run: async (context) => {
      const thief = await context.world.newPayer(0n)
      return proveTransfer(context, () => ({}), { signer: thief })
    },
  },
  {
    name: 'proof: signer, a signature that is not hex',
    family: 'proof content',
    expect: { ...refused(['verify_signature_invalid', 'invalid_payload'], PRICE.search), status: [400, 402] },
    run: (context) => proveTransfer(context, () => ({}), { proof: { signature: 'not-a-signature' } }),
  },
  {
    name: 'proof: signer, 65 zero bytes as the signature',
    family: 'proof content',
    expect: { ...refused(['verify_signature_invalid', 'invalid_payload'], PRICE.search), status: [400, 402] },
    run: (context) => proveTransfer(context, () => ({}), { proof: { signature: `0x${'00'.repeat(65)}` } }),
  },
  {
    name: 'proof: signer, a signature over another transaction',
    family: 'proof content',
    expect: refused(['verify_payer_mismatch', 'verify_signature_invalid'], PRICE.search),
    run: async (context) => {
      const payer = await context.payer()
      const offer = await offerOf(context.a, SEARCH.method, SEARCH.path)
      const paid = await sendTransfer(context.world, payer, {
        to: offer.tx.payTo as Address,
        amount: PRICE.search,
      })
      const other = await txProofHeader({
        requirements: offer.tx,
        hash: `0x${'11'.repeat(32)}`,
        signer: payer,
      })
      const otherSignature = (
        JSON.parse(Buffer.from(other.value, 'base64').toString()) as {
          payload: { signature: string }
        }
      ).payload.signature
      const header = await txProofHeader({
        requirements: offer.tx,
        hash: paid.hash,
        signer: payer,
        signature: otherSignature,
      })
      return context.send(context.a, paidRequest(SEARCH, header))
    },
  },
  {
    name: 'proof: a transaction hash nobody sent',
    family: 'proof content',
    expect: refused('verify_tx_not_found'),
    run: async (context) => {
      const payer = await context.payer()
      const offer = await offerOf(context.a, SEARCH.method, SEARCH.path)
      const hash = toHex(crypto.getRandomValues(new Uint8Array(32)))
      return context.send(
        context.a,
        paidRequest(SEARCH, await txProofHeader({ requirements: offer.tx, hash, signer: payer })),
      )
    },
  },
  {
    name: 'proof: a malformed transaction hash',
    family: 'proof content',
    expect: { status: 400, code: 'invalid_payload', handlerRuns: 0 },
    run: async (context) => {
      const payer = await context.payer()
      const offer = await offerOf(context.a, SEARCH.method, SEARCH.path)
      return context.send(
        context.a,
        paidRequest(SEARCH, await txProofHeader({ requirements: offer.tx, hash: '0x1234', signer: payer })),
      )
    },
  },
  {
    name: 'proof: chain, accepted names another network',
    family: 'proof content',
    expect: { status: [400, 402], code: 'any', handlerRuns: 0, moved: PRICE.search },
    run: async (context) => {
      const paid = await payRoute(context, context.a)
      const header = await txProofHeader({
        requirements: paid.requirements,
        hash: paid.hash,
        signer: paid.payer,
        accepted: { ...paid.requirements, network: 'eip155:1' },
      })
      return context.send(context.b, paidRequest(SEARCH, header))
    },
  },
  {
    name: 'proof: confirmations, a route that needs 3 gets a proof with 1',
    family: 'proof content',
    // Alone: a transaction of any other case would add the confirmations.
    serial: true,
    expect: { status: [402, 409], code: 'verify_unconfirmed', handlerRuns: 0, moved: PRICE.search },
    run: async (context) => {
      const paid = await payRoute(context, context.a, { method: 'GET', path: '/api/confirmed' })
      return context.send(context.a, paidRequest({ method: 'GET', path: '/api/confirmed' }, paid.header))
    },
    check: (response) => (response.headers['retry-after'] === undefined ? 'no Retry-After' : undefined),
  },
  {
    name: 'proof: confirmations, the same proof is served once 3 blocks are on top',
    family: 'proof content',
    serial: true,
    expect: { status: 200, code: null, handlerRuns: 1, moved: PRICE.search },
    run: async (context) => {
      const route = { method: 'GET', path: '/api/confirmed' } as const
      const paid = await payRoute(context, context.a, route)
      const early = await context.send(context.a, paidRequest(route, paid.header))
      if (early.status === 200) throw new Error('served with one confirmation')
      await context.world.devnet.mine(2)
      return context.send(context.b, paidRequest(route, paid.header))
    },
  },
  {
    name: 'proof: blockNumber hint of 20 digits does not cost the answer',
    family: 'proof content',
    expect: { status: 200, handlerRuns: 1, moved: PRICE.search },
    run: (context) => proveTransfer(context, () => ({}), { proof: { blockNumber: '9'.repeat(20) } }),
  },
  {
    name: 'proof: blockNumber hint that is not a number',
    family: 'proof content',
    expect: { status: 200, handlerRuns: 1, moved: PRICE.search },
    run: (context) => proveTransfer(context, () => ({}), { proof: { blockNumber: 'latest; drop' } }),
  },
  {
    name: 'proof: blockNumber hint of another block',
    family: 'proof content',
    expect: { status: 200, handlerRuns: 1, moved: PRICE.search },
    run: (context) => proveTransfer(context, () => ({}), { proof: { blockNumber: '0x2' } }),
  },
  {
    name: 'proof: exact, authorization to another recipient',
    family: 'proof content',
    expect: refused(['invalid_exact_evm_payload_recipient_mismatch', 'requirements_mismatch']),
    run: (context) => payExactWith(context, () => ({ to: stranger })),
  },
  {
    name: 'proof: exact, a value one unit short',
    family: 'proof content',
    expect: refused(['invalid_exact_evm_payload_authorization_value_mismatch', 'requirements_mismatch']),
    run: (context) => payExactWith(context, (requirements) => ({ value: BigInt(requirements.amount) - 1n })),
  },
  {
    name: 'proof: exact, validBefore already passed',
    family: 'proof content',
    expect: refused('invalid_exact_evm_payload_authorization_valid_before'),
    run: (context) =>
      payExactWith(context, () => ({ validAfter: nowSeconds() - 600n, validBefore: nowSeconds() - 300n })),
  },
  {
    name: 'proof: exact, validAfter in the future',
    family: 'proof content',
    expect: refused('invalid_exact_evm_payload_authorization_valid_after'),
    run: (context) =>
      payExactWith(context, () => ({ validAfter: nowSeconds() + 600n, validBefore: nowSeconds() + 900n })),
  },
  {
    name: 'proof: exact, validBefore a year away',
    family: 'proof content',
    expect: refused([
      'invalid_exact_evm_payload_authorization_validity_span',
      'invalid_exact_evm_payload_authorization_valid_before',
    ]),
    run: (context) => payExactWith(context, () => ({ validBefore: nowSeconds() + 31_536_000n })),
  },
  {
    name: 'proof: exact, signed by another key',
    family: 'proof content',
    expect: refused('invalid_exact_evm_payload_signature'),
    run: (context) => payExactWith(context, (_, other) => ({ signer: other })),
  },
  {
    name: 'proof: exact, signed under another token name',
    family: 'proof content',
    expect: refused(['invalid_exact_evm_payload_signature', 'invalid_exact_evm_token_name_mismatch']),
    run: (context) => payExactWith(context, () => ({ domainName: 'Tether USD' })),
  },
  {
    name: 'proof: exact, signed for another chain id',
    family: 'proof content',
    expect: refused('invalid_exact_evm_payload_signature'),
    run: (context) => payExactWith(context, () => ({ chainId: 1 })),
  },
  {
    name: 'proof: exact, a payer without the money',
    family: 'proof content',
    expect: refused(['insufficient_funds', 'invalid_exact_evm_transaction_simulation_failed']),
    run: (context) => payExactWith(context, () => ({}), 0n),
  },
  {
    name: 'proof: exact, accepted lowered to one unit',
    family: 'proof content',
    expect: refused(['requirements_mismatch', 'invalid_exact_evm_payload_authorization_value_mismatch']),
    run: (context) =>
      payExactWith(context, (requirements) => ({ value: 1n, accepted: { ...requirements, amount: '1' } })),
  },
  {
    name: 'proof: exact, the payer signs a second authorization with a used nonce',
    family: 'proof content',
    expect: {
      status: 402,
      code: ['invalid_exact_evm_nonce_already_used', 'payment_already_used'],
      handlerRuns: 1,
      moved: PRICE.search,
    },
    run: async (context) => {
      const payer = await context.payer()
      const nonce: Hex = toHex(crypto.getRandomValues(new Uint8Array(32)))
      const offer = await offerOf(context.a, SEARCH.method, SEARCH.path)
      const first = await exactHeader(context.world, payer, offer.exact, { nonce })
      const served = await context.send(context.a, paidRequest(SEARCH, exactSignature(first)))
      if (served.status !== 200) throw new Error(`the first authorization was refused: ${served.status}`)
      const again = await exactHeader(context.world, payer, offer.exact, {
        nonce,
        validBefore: nowSeconds() + 100n,
      })
      return context.send(context.b, paidRequest(SEARCH, exactSignature(again)))
    },
  },
]
