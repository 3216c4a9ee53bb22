import { sameAddress } from '../chains/same-address.js'
import { toTollgateError } from '../errors/tollgate-error.js'
import { MPP_PROBLEM_BASE } from '../mpp/types.js'
import { readBodyText } from '../protocol/read-body-text.js'
import { readPaymentRequired } from '../protocol/read-payment-required.js'
import type { PaymentRequired, PaymentRequirements, PaymentRequirementsV1 } from '../protocol/types.js'
import type { PaymentProtocol } from './choose-requirements.js'
import type { SkippedOption } from './pick-candidates.js'
import { readMppOffers } from './read-mpp-offers.js'

/** Everything a 402 offers, over both protocols. @internal */
export type Offers = {
  /** The x402 offers, then the MPP ones (scheme `mpp`), as one `PaymentRequired`. */
  paymentRequired: PaymentRequired
  /** The x402 version spoken; 2 when the 402 had no x402 part. */
  x402Version: 1 | 2
  /** For v1: the original entry behind each x402 offer. */
  v1Accepts?: PaymentRequirementsV1[]
  /** Offers that could not be read (a malformed challenge or header), with why. */
  skipped: SkippedOption[]
  /** The x402 `error` of the 402, if any. */
  x402Error: string | undefined
  /**
   * Why the MPP side refused: the body's stable `error` (or `code`) when it has one, else the last
   * segment of the problem `type` (`verification-failed`, `invalid-challenge`); undefined without a
   * JSON body.
   */
  mppProblem: string | undefined
}

/**
 * Reads a 402 in every protocol the client speaks (`protocols`): x402's `PAYMENT-REQUIRED` (or a v1
 * body) and MPP's `WWW-Authenticate: Payment` challenges. One broken side does not stop the other:
 * it is listed in `skipped`, and only a 402 with nothing readable at all throws.
 * @example const offers = await readOffers(response, { protocols: ['x402', 'mpp'], now: Date.now(), fallbackSeconds: 120 })
 * @throws {TollgateError} the x402 reading error (`header_malformed`, `invalid_payment_requirements`,
 * …) when no protocol offered anything readable
 * @internal
 */
export async function readOffers(
  response: Response,
  options: { protocols: readonly PaymentProtocol[]; now: number; fallbackSeconds: number },
): Promise<Offers> {
  const { protocols } = options
  const mpp = protocols.includes('mpp')
    ? readMppOffers(response, options.now, options.fallbackSeconds)
    : { accepts: [], skipped: [] }
  const mppSpoken = mpp.accepts.length > 0 || mpp.skipped.length > 0
  const mppProblem = mppSpoken ? await readProblem(response.clone()) : undefined
  const skipped = [...mpp.skipped]
  let x402: Awaited<ReturnType<typeof readPaymentRequired>> | undefined
  if (protocols.includes('x402')) {
    try {
      x402 = await readPaymentRequired(response)
    } catch (error) {
      if (!mppSpoken) throw error
      // An MPP-only 402 has no x402 part: only a present but broken header counts as skipped.
      if (response.headers.has('PAYMENT-REQUIRED')) {
        skipped.push({ offer: 'x402', reason: toTollgateError(error, 'header_malformed').code })
      }
    }
  }
  const x402Accepts = x402?.paymentRequired.accepts ?? []
  const paymentRequired: PaymentRequired = {
    x402Version: 2,
    resource: x402?.paymentRequired.resource ?? { url: response.url },
    ...(x402?.paymentRequired.extensions ? { extensions: x402.paymentRequired.extensions } : {}),
    accepts: [...x402Accepts, ...mpp.accepts.map((offer) => withPass(offer, x402Accepts))],
  }
  const x402Error = x402?.paymentRequired.error
  if (x402Error !== undefined) paymentRequired.error = x402Error
  return {
    paymentRequired,
    x402Version: x402?.x402Version ?? 2,
    ...(x402?.v1Accepts ? { v1Accepts: x402.v1Accepts } : {}),
    skipped,
    x402Error,
    mppProblem,
  }
}

// A Tollgate gate mirrors each x402 `exact` offer as an MPP challenge; when the mirrored offer sells
// a pass, so does the challenge (the pass comes back in `PAYMENT-RESPONSE`), and the client's pass
// preference treats both alike.
function withPass(offer: PaymentRequirements, x402: readonly PaymentRequirements[]): PaymentRequirements {
  const twin = x402.find(
    (entry) =>
      entry.scheme === 'exact' &&
      typeof entry.extra.pass === 'object' &&
      entry.network === offer.network &&
      entry.amount === offer.amount &&
      sameAddress(entry.network, entry.asset, offer.asset) &&
      sameAddress(entry.network, entry.payTo, offer.payTo),
  )
  return twin === undefined ? offer : { ...offer, extra: { ...offer.extra, pass: twin.extra.pass } }
}

// The problem details of an MPP 402 (RFC 9457), bounded; undefined when there are none.
async function readProblem(response: Response): Promise<string | undefined> {
  if (!/^application\/(problem\+)?json/i.test(response.headers.get('content-type') ?? '')) return undefined
  const text = await readBodyText(response.body, 16_384).catch(() => undefined)
  if (text === undefined) return undefined
  try {
    const problem = JSON.parse(text) as { error?: unknown; code?: unknown; type?: unknown }
    // A Tollgate gate's body names its stable code beside the problem type.
    for (const code of [problem.error, problem.code]) {
      if (typeof code === 'string' && /^[a-z][a-z0-9_]{0,63}$/.test(code)) return code
    }
    if (typeof problem.type === 'string' && problem.type.startsWith(MPP_PROBLEM_BASE)) {
      const slug = problem.type.slice(MPP_PROBLEM_BASE.length)
      if (/^[a-z][a-z0-9-]{0,63}$/.test(slug)) return slug
    }
  } catch {
    return undefined
  }
  return undefined
}
