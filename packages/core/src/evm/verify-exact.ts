import { encodeFunctionData } from 'viem'
import { TollgateError } from '../errors/tollgate-error.js'
import type { JsonRpcCall } from '../rpc/create-json-rpc.js'
import type { ExactInput } from '../scheme/types.js'
import { decodeTryCall } from './decode-try-call.js'
import { eip3009Abi, erc1271Abi } from './eip3009-abi.js'
import { checkChain, readResult, readString, simulationFailed, tryCall } from './exact-calls.js'
import { assertAffordable, checkContractSignature, checkTokenDomain, laneOf } from './exact-checks.js'
import { assertSettlerFunded, FEE_MAX_AGE_MS, gasLimit, readFees } from './exact-fees.js'
import { type ExactSchemeRuntime, type KeptSimulation, MAX_KEPT_SIMULATIONS } from './exact-scheme-runtime.js'
import { type PreparedExact, prepareExact, rememberEcdsa } from './prepare-exact.js'
import { quantitySchema } from './rpc-schemas.js'

// The token's EIP-712 name and version change only by an upgrade; re-read them now and then.
const TOKEN_DOMAIN_TTL_MS = 10 * 60_000

// Where each answer sits in the batch; -1 for a call not made.
type VerifySlots = {
  chain: number
  name: number
  version: number
  code: number
  erc1271: number
  state: number
  balance: number
  simulation: number
  gasPrice: number
  block: number
  settlerBalance: number
  count: number
}

/**
 * `verify` of the `exact` scheme: the offline checks, then ONE batched JSON-RPC round trip whose
 * answers are judged in order (token domain, signature, nonce, balance less what the payer's lane
 * holds, simulation); a verified authorization then holds its value in the payer's lane, checked
 * and held in one synchronous step. See `createEvmExactScheme`.
 * @internal
 * @throws {TollgateError} the codes `createEvmExactScheme` lists for `verify`
 */
export async function verifyExact(
  runtime: ExactSchemeRuntime,
  input: ExactInput,
): Promise<{ payer: string }> {
  const prepared = await prepareExact(runtime, input, { assumeEcdsa: runtime.simulate })
  if (prepared.signer !== 'assumed') return verifyPrepared(runtime, input, prepared)
  try {
    const verified = await verifyPrepared(runtime, input, prepared)
    // The token accepted the signature in the simulation: `settle` needs no recovery either.
    rememberEcdsa(runtime, prepared.digest, prepared.payload.signature, true)
    return verified
  } catch (error) {
    // Judged again as without the assumption, so every refusal is the one it always was: on the
    // same answers when the signature is the payer's ECDSA one, else on a new round trip that
    // checks it as a contract account's.
    const checked = await prepareExact(runtime, input)
    if (checked.eoaSigned) throw error
    return verifyPrepared(runtime, input, checked)
  }
}

async function verifyPrepared(
  runtime: ExactSchemeRuntime,
  input: ExactInput,
  prepared: PreparedExact,
): Promise<{ payer: string }> {
  const { now, lanes } = runtime
  const { payload, token, transfer } = prepared
  const { from, nonce, value } = payload.authorization
  const cached = runtime.domains.get(token)
  const domain = cached !== undefined && cached.expiresAt > now() ? cached : undefined
  const { calls, slots } = planVerifyBatch(runtime, prepared, domain !== undefined)
  const issuedAt = now()
  const lane = laneOf(token, from)
  // Settlements of this payer confirmed after this point may not show in the balance read.
  const since = lanes.sequence()

  const results = await runtime.rpc.batch(calls, input.signal)
  keepSettlementInputs(runtime, results, slots, issuedAt)

  // 1. The token's EIP-712 domain must be the one the payer was told to sign.
  const { name, version } = input.requirements.extra as { name: string; version: string }
  const actual = domain ?? {
    name: readString(decodeTryCall(results[slots.name], 'name'), 'name', token),
    version: readString(decodeTryCall(results[slots.version], 'version'), 'version', token),
    expiresAt: now() + TOKEN_DOMAIN_TTL_MS,
  }
  if (domain === undefined) runtime.domains.set(token, actual)
  checkTokenDomain(actual, name, version)

  // 2. The signature: offline ECDSA, else ERC-1271 on a deployed contract account.
  if (!prepared.eoaSigned)
    checkContractSignature(results[slots.code], results[slots.erc1271], payload, runtime.chainId)

  // 3. The nonce must be unused, 4. the balance must cover the value.
  const used = readResult(
    decodeTryCall(results[slots.state], 'authorizationState'),
    'authorizationState',
    token,
  )
  if (used === true) {
    throw new TollgateError(
      'invalid_exact_evm_nonce_already_used',
      'This authorization was already used or canceled on chain.',
      { details: { nonce } },
    )
  }
  const balance = readResult(decodeTryCall(results[slots.balance], 'balanceOf'), 'balanceOf', token)
  // What other verified authorizations and pending settlements of this payer hold; this very
  // authorization holds nothing against itself.
  const nowSeconds = Math.floor(now() / 1000)
  assertAffordable(balance, value, lanes.held(lane, nowSeconds, { except: nonce, since }))

  // 5. Whatever else the token checks (pausing, blacklists, wallet rules) shows in the simulation.
  if (slots.simulation !== -1)
    checkSimulation(runtime, results[slots.simulation], `${token}:${transfer}`, {
      transfer,
      issuedAt,
    })
  // Checked and held in one synchronous step: a concurrent verify of this payer sees the hold.
  const lapse = Math.min(
    Number(payload.authorization.validBefore),
    nowSeconds + input.requirements.maxTimeoutSeconds,
  )
  lanes.hold(lane, nonce, value, lapse, 'verified')
  return { payer: from }
}

// The calls of `verify`'s one round trip, and only what is not known already: the chain id until
// checked, the token's domain until cached, the payer's code and ERC-1271 answer when ECDSA failed;
// and what `settle` needs besides the simulation, so it can skip a round trip: fees at most every
// FEE_MAX_AGE_MS, with the settler's native balance, and the settler's nonce once.
function planVerifyBatch(
  runtime: ExactSchemeRuntime,
  prepared: PreparedExact,
  domainKnown: boolean,
): { calls: JsonRpcCall[]; slots: VerifySlots } {
  const { payload, token, digest, eoaSigned, transfer } = prepared
  const { from, nonce } = payload.authorization
  const { feeCache, settler, simulate } = runtime
  const calls: JsonRpcCall[] = []
  const slot = (call: JsonRpcCall): number => calls.push(call) - 1
  const chain = runtime.chainChecked ? -1 : slot({ method: 'eth_chainId', params: [] })
  const name = domainKnown
    ? -1
    : slot(tryCall(token, encodeFunctionData({ abi: eip3009Abi, functionName: 'name' })))
  const version = domainKnown
    ? -1
    : slot(tryCall(token, encodeFunctionData({ abi: eip3009Abi, functionName: 'version' })))
  const code = eoaSigned ? -1 : slot({ method: 'eth_getCode', params: [from, 'latest'] })
  const erc1271 = eoaSigned
    ? -1
    : slot(
        tryCall(
          from,
          encodeFunctionData({
            abi: erc1271Abi,
            functionName: 'isValidSignature',
            args: [digest, payload.signature],
          }),
        ),
      )
  const state = slot(
    tryCall(
      token,
      encodeFunctionData({ abi: eip3009Abi, functionName: 'authorizationState', args: [from, nonce] }),
    ),
  )
  const balance = slot(
    tryCall(token, encodeFunctionData({ abi: eip3009Abi, functionName: 'balanceOf', args: [from] })),
  )
  const simulation = simulate ? slot(tryCall(token, transfer, settler)) : -1
  const feesStale = simulate && (feeCache === undefined || runtime.now() - feeCache.at > FEE_MAX_AGE_MS)
  const gasPrice = feesStale ? slot({ method: 'eth_gasPrice', params: [] }) : -1
  const block = feesStale ? slot({ method: 'eth_getBlockByNumber', params: ['latest', false] }) : -1
  const settlerBalance = feesStale ? slot({ method: 'eth_getBalance', params: [settler, 'latest'] }) : -1
  const count =
    simulate && runtime.nonces.needsCount
      ? slot({ method: 'eth_getTransactionCount', params: [settler, 'pending'] })
      : -1
  const slots = { chain, name, version, code, erc1271, state, balance, simulation, gasPrice, block }
  return { calls, slots: { ...slots, settlerBalance, count } }
}

// The chain id is checked, fees (and the settler's balance) and the settler's nonce kept for `settle`.
function keepSettlementInputs(
  runtime: ExactSchemeRuntime,
  results: readonly unknown[],
  slots: VerifySlots,
  issuedAt: number,
): void {
  if (slots.chain !== -1) checkChain(runtime, results[slots.chain])
  if (slots.gasPrice !== -1) {
    const fees = readFees(results[slots.gasPrice], results[slots.block])
    const settlerBalance = quantitySchema.safeParse(results[slots.settlerBalance])
    if (fees !== undefined)
      runtime.feeCache = {
        at: issuedAt,
        fees,
        settlerBalance: settlerBalance.success ? BigInt(settlerBalance.data) : undefined,
      }
  }
  if (slots.count !== -1) runtime.nonces.seed(results[slots.count])
}

// The simulation must succeed; with fresh fees, the settler must afford the settlement's gas, and
// the simulation is kept for `settle` to reuse.
function checkSimulation(
  runtime: ExactSchemeRuntime,
  answer: unknown,
  key: string,
  context: { transfer: `0x${string}`; issuedAt: number },
): void {
  const simulation = decodeTryCall(answer, 'transferWithAuthorization')
  if (!simulation.success) throw simulationFailed(simulation.reason)
  const { feeCache } = runtime
  if (feeCache !== undefined && runtime.now() - feeCache.at <= FEE_MAX_AGE_MS) {
    const gas = gasLimit(simulation, context.transfer)
    // Refuse before the handler runs when the settler could not pay for this settlement.
    assertSettlerFunded(feeCache.settlerBalance, gas, feeCache.fees, runtime.settler)
    keepSimulation(runtime, key, { at: context.issuedAt, gas, fees: feeCache.fees })
  }
}

function keepSimulation(runtime: ExactSchemeRuntime, key: string, record: KeptSimulation): void {
  const { verified, now, simulationMaxAgeMs } = runtime
  verified.set(key, record)
  for (const [oldKey, old] of verified) {
    if (verified.size <= MAX_KEPT_SIMULATIONS && now() - old.at <= simulationMaxAgeMs) break
    verified.delete(oldKey)
  }
}
