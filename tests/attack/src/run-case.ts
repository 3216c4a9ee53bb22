import { type RawRequest, type RawResponse, rawHttp } from './raw-http.js'
import type { Merchant } from './start-merchant.js'
import type { Payer, World } from './start-world.js'

/** The families of attacks. */
export type Family =
  | 'request shape'
  | 'replay'
  | 'proof content'
  | 'forgery'
  | 'lifecycle'
  | 'griefing'
  | 'faults'

/** What a case expects of the gate. */
export type Expectation = {
  /** The status (or one of the statuses) of the attack's response. */
  status: number | readonly number[]
  /**
   * The `error` code of its JSON body: one code, one of several, `'any'` for any code, or
   * `null` for none (a handler's own answer). Default: not checked.
   */
  code?: string | readonly string[] | 'any' | null
  /** How many times a priced handler ran for this case, on both instances. */
  handlerRuns: number
  /** USDC atomic units the case's payers sent to the merchant, read from the chain. Default 0. */
  moved?: bigint
}

/** What a case's `run` gets. */
export type CaseContext = {
  world: World
  /** The case id, sent as `x-attack-case`, under which handler runs are counted. */
  caseId: string
  /** The two instances. */
  a: Merchant
  b: Merchant
  /** A fresh funded account, counted for `moved`. */
  payer(usdc?: bigint): Promise<Payer>
  /** A raw request to `merchant`, tagged with the case id. */
  send(merchant: Merchant, request: RawRequest): Promise<RawResponse>
  /** Headers that tag a request with the case id. */
  tag: Record<string, string>
}

/** One attack, as data: what to send, and what must come back. */
export type AttackCase = {
  name: string
  family: Family
  /** Runs alone: it changes what every request sees (RPC down, Redis down, the clock). */
  serial?: boolean
  expect: Expectation
  /** Carries out the attack and returns the decisive response. */
  run(context: CaseContext): Promise<RawResponse>
  /** Further checks on the response; returns a failure message or undefined. */
  check?(response: RawResponse, context: CaseContext): string | undefined | Promise<string | undefined>
}

/** A case's outcome. */
export type CaseResult = {
  name: string
  family: Family
  status: number | undefined
  code: string | undefined
  handlerRuns: number
  moved: bigint
  /** What differs from the expectation. */
  failures: string[]
  /** The attack got something it must not: a 2xx it was refused, or a handler run too many. */
  accepted: boolean
  /** A 5xx the case did not expect. */
  unexpected5xx: boolean
}

// A case that hangs (a held handler never released, say) fails with this, not the test runner's timeout.
const CASE_TIMEOUT_MS = 20_000

function codeOf(response: RawResponse): string | undefined {
  try {
    const body = JSON.parse(response.body) as { error?: unknown }
    return typeof body.error === 'string' ? body.error : undefined
  } catch {
    return undefined
  }
}

function statuses(expect: Expectation): readonly number[] {
  return typeof expect.status === 'number' ? [expect.status] : expect.status
}

// Whether a case expects the refusal of a payment that was already sold.
function refusesSpent(expect: Expectation): boolean {
  const codes =
    typeof expect.code === 'string' ? [expect.code] : Array.isArray(expect.code) ? expect.code : []
  return codes.some(
    (code) => code === 'payment_already_used' || code === 'invalid_exact_evm_nonce_already_used',
  )
}

function codeMatches(expected: Expectation['code'], actual: string | undefined): boolean {
  if (expected === undefined) return true
  if (expected === null) return actual === undefined
  if (expected === 'any') return actual !== undefined
  return typeof expected === 'string' ? actual === expected : expected.includes(actual ?? '')
}

/**
 * Runs one case against the world and compares what happened (status, code, handler runs, money
 * moved on chain) with what it expects. Never throws: a case that cannot run is a failure.
 *
 * @example const result = await runCase(world, attack)
 */
export async function runCase(world: World, attack: AttackCase): Promise<CaseResult> {
  const caseId = attack.name
  const payers: Payer[] = []
  const tag = { 'x-attack-case': caseId }
  const context: CaseContext = {
    world,
    caseId,
    a: world.merchants[0],
    b: world.merchants[1],
    tag,
    async payer(usdc) {
      const payer = await world.newPayer(usdc)
      payers.push(payer)
      return payer
    },
    send: (merchant, request) =>
      rawHttp(merchant.port, { ...request, headers: { ...tag, ...request.headers } }),
  }
  const failures: string[] = []
  let response: RawResponse | undefined
  try {
    let timer: ReturnType<typeof setTimeout> | undefined
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`no answer within ${CASE_TIMEOUT_MS} ms`)), CASE_TIMEOUT_MS)
    })
    response = await Promise.race([attack.run(context), timeout]).finally(() => clearTimeout(timer))
    const extra = await attack.check?.(response, context)
    if (extra !== undefined) failures.push(extra)
  } catch (error) {
    failures.push(`could not run: ${error instanceof Error ? error.message : String(error)}`)
  }
  const code = response === undefined ? undefined : codeOf(response)
  const handlerRuns = world.handlerRuns(caseId)
  let moved = 0n
  for (const payer of payers) moved += await world.paidToMerchant(payer.address)

  const expected = statuses(attack.expect)
  // A retry of a sold payment may get the kept response again, marked as a replay (ARCHITECTURE.md
  // G8): the same answer as a refusal of a spent payment, as long as the handler did not run again
  // and no money moved (both checked below).
  const replayed =
    response !== undefined &&
    response.status < 300 &&
    response.headers['payment-replay'] === 'true' &&
    refusesSpent(attack.expect)
  if (response !== undefined && !replayed && !expected.includes(response.status)) {
    failures.push(`status ${response.status}, expected ${expected.join(' or ')}`)
  }
  if (response !== undefined && !replayed && !codeMatches(attack.expect.code, code)) {
    failures.push(`code ${code ?? '(none)'}, expected ${JSON.stringify(attack.expect.code)}`)
  }
  if (handlerRuns !== attack.expect.handlerRuns) {
    failures.push(`handler ran ${handlerRuns} times, expected ${attack.expect.handlerRuns}`)
  }
  if (moved !== (attack.expect.moved ?? 0n)) {
    failures.push(`${moved} moved on chain, expected ${attack.expect.moved ?? 0n}`)
  }
  // A failing case says what the gates refused along the way, in their own words.
  const refused = world.rejections(caseId)
  if (failures.length > 0 && refused.length > 0) failures.push(`the gates refused: ${refused.join(' | ')}`)
  const status = response?.status
  const success = (value: number) => value >= 200 && value < 300
  return {
    name: attack.name,
    family: attack.family,
    status,
    code,
    handlerRuns,
    moved,
    failures,
    accepted:
      handlerRuns > attack.expect.handlerRuns ||
      moved > (attack.expect.moved ?? 0n) ||
      (status !== undefined && success(status) && !replayed && !expected.some(success)),
    unexpected5xx: status !== undefined && status >= 500 && !expected.includes(status),
  }
}
