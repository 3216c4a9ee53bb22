import type { Devnet } from '@tollgate/testkit'
import type { Address, LocalAccount } from 'viem'
import { generatePrivateKey, privateKeyToAccount } from 'viem/accounts'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { createExactSchemeRuntime, type ExactSchemeRuntime } from '../src/evm/exact-scheme-runtime.js'
import { prepareExact } from '../src/evm/prepare-exact.js'
import { verifyExact } from '../src/evm/verify-exact.js'
import { createJsonRpc } from '../src/rpc/create-json-rpc.js'
import type { ExactInput } from '../src/scheme/types.js'
import { devnetRegistry, startDevnet } from './support/devnet-gate.js'
import { signExactPayload, usdcRequirements } from './support/exact-payment.js'

let devnet: Devnet
let payTo: Address

beforeAll(async () => {
  devnet = await startDevnet()
  payTo = devnet.accounts[9]!.address
})
afterAll(async () => {
  await devnet?.stop()
})

/** A scheme runtime whose ECDSA recoveries are counted. */
function countedRuntime(options: { simulate?: boolean } = {}) {
  const runtime: ExactSchemeRuntime = createExactSchemeRuntime({
    rpc: createJsonRpc({ url: devnet.rpcUrl }),
    chainId: devnet.chainId,
    settler: privateKeyToAccount(devnet.accounts[7]!.privateKey),
    ...options,
  })
  const counted = { recoveries: 0 }
  const check = runtime.isEcdsaSigner
  runtime.isEcdsaSigner = (digest, signature, from) => {
    counted.recoveries++
    return check(digest, signature, from)
  }
  return { runtime, counted }
}

async function paid(signer: LocalAccount, from?: Address): Promise<ExactInput> {
  const requirements = usdcRequirements(devnet, payTo)
  const payload = await signExactPayload({ devnet, signer, requirements, ...(from ? { from } : {}) })
  return {
    payload,
    requirements,
    asset: devnetRegistry(devnet).asset(devnet.network, devnet.tokens.usdc.address),
  }
}

describe('exact verify: the token checks the signature in the simulation', () => {
  test('default: an ECDSA-signed authorization is verified in one round trip with no recovery, and settle recovers none either', async () => {
    const { runtime, counted } = countedRuntime()
    const input = await paid(privateKeyToAccount(devnet.accounts[1]!.privateKey))
    const before = runtime.rpc.stats.roundTrips
    expect(await verifyExact(runtime, input)).toEqual({ payer: devnet.accounts[1]!.address })
    expect(runtime.rpc.stats.roundTrips - before).toBe(1)
    // What settle prepares: the answer the simulation gave stands.
    expect(await prepareExact(runtime, input)).toMatchObject({ eoaSigned: true, signer: 'checked' })
    expect(counted.recoveries).toBe(0)
  })

  test('error: a signature by another key is refused as before, after one recovery and a second round trip', async () => {
    const { runtime, counted } = countedRuntime()
    const payer = devnet.accounts[1]!.address
    const input = await paid(privateKeyToAccount(generatePrivateKey()), payer)
    const before = runtime.rpc.stats.roundTrips
    await expect(verifyExact(runtime, input)).rejects.toMatchObject({
      code: 'invalid_exact_evm_payload_signature',
    })
    expect(runtime.rpc.stats.roundTrips - before).toBe(2)
    expect(counted.recoveries).toBe(1)
  })

  test('behavior: without the simulation, the signature is recovered offline first', async () => {
    const { runtime, counted } = countedRuntime({ simulate: false })
    const input = await paid(privateKeyToAccount(devnet.accounts[2]!.privateKey))
    expect(await verifyExact(runtime, input)).toEqual({ payer: devnet.accounts[2]!.address })
    expect(counted.recoveries).toBe(1)
  })
})
