import type { PaymentPayload } from '@tollgate/core'
import { type LossyPaidApi, startLossyPaidApi, transfersOnChain } from '@tollgate/test-support'
import { type Devnet, startDevnet } from '@tollgate/testkit'
import { x402Client, x402HTTPClient } from '@x402/core/client'
import { ExactEvmScheme as ExactEvmClientScheme } from '@x402/evm/exact/client'
import { appendPaymentIdentifierToExtensions, PAYMENT_IDENTIFIER } from '@x402/extensions/payment-identifier'
import { wrapFetchWithPayment } from '@x402/fetch'
import { parseEther } from 'viem'
import { generatePrivateKey, privateKeyToAccount } from 'viem/accounts'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'

// The official x402 client, configured with the official payment-identifier extension, pays a
// Tollgate gate whose answer is then lost (the gate served and settled it, and the connection was
// cut before any answer byte). It resends the identical payment, as x402's "Recovering a Lost
// Response" says, and gets the kept answer: no second run, no second transfer (read from chain).
let devnet: Devnet
let api: LossyPaidApi

beforeAll(async () => {
  devnet = await startDevnet()
  api = await startLossyPaidApi(devnet, 'exact')
})
afterAll(async () => {
  await api?.close()
  await devnet?.stop()
})

async function officialClient(paymentId: string) {
  const account = privateKeyToAccount(generatePrivateKey())
  await devnet.testClient.setBalance({ address: account.address, value: parseEther('1') })
  await devnet.mint('usdc', account.address, 1_000_000n)
  const sent: PaymentPayload[] = []
  const client = new x402Client()
    .register('eip155:*', new ExactEvmClientScheme(account))
    .setSpendControls({
      allowedAssets: [
        { network: devnet.network, asset: devnet.tokens.usdc.address, maxAmountPerPayment: '1000000' },
      ],
    })
    .registerExtension({
      key: PAYMENT_IDENTIFIER,
      enrichPaymentPayload: async (payload) => ({
        ...payload,
        extensions: appendPaymentIdentifierToExtensions(structuredClone(payload.extensions ?? {}), paymentId),
      }),
    })
    .onAfterPaymentCreation(async ({ paymentPayload }) => {
      sent.push(paymentPayload as unknown as PaymentPayload)
    })
  return {
    payer: account.address,
    pay: wrapFetchWithPayment(fetch, client),
    http: new x402HTTPClient(client),
    sent,
  }
}

describe('interop: the official payment-identifier extension against a Tollgate gate', () => {
  test('behavior: a lost answer, the identical payment resent -> the kept answer, marked a replay; one run, one transfer', async () => {
    const paymentId = 'pay_0f1e2d3c4b5a69788796a5b4c3d2e1f0'
    const official = await officialClient(paymentId)
    const url = `${api.url}/api/search?q=interop`
    api.losePaidAnswers(true)
    await expect(official.pay(url)).rejects.toThrow()
    expect(api.lost()).toBe(1)
    expect(api.runs()).toBe(1)
    api.losePaidAnswers(false)
    // The official client echoed the gate's declaration with its identifier.
    const [payment] = official.sent
    expect(payment?.extensions?.[PAYMENT_IDENTIFIER]).toMatchObject({
      info: { required: false, id: paymentId },
    })
    const replayed = await fetch(url, {
      headers: official.http.encodePaymentSignatureHeader(payment as never),
    })
    expect(replayed.status).toBe(200)
    expect(replayed.headers.get('payment-replay')).toBe('true')
    expect(await replayed.json()).toEqual({ q: 'interop', run: 1 })
    const settle = official.http.getPaymentSettleResponse((name) => replayed.headers.get(name))
    expect(settle).toMatchObject({ success: true, network: devnet.network, extensions: { replay: true } })
    const receipt = await devnet.publicClient.getTransactionReceipt({
      hash: settle.transaction as `0x${string}`,
    })
    expect(receipt.status).toBe('success')
    expect(await transfersOnChain(devnet, official.payer, api.payTo)).toEqual([10_000n])
    expect(api.runs()).toBe(1)

    // A new payment under the same identifier is another payload: refused, nothing run or moved.
    const conflict = await official.pay(url)
    expect(conflict.status).toBe(409)
    expect(await conflict.json()).toMatchObject({ error: 'payment_identifier_conflict' })
    expect(official.sent).toHaveLength(2)
    expect(api.runs()).toBe(1)
    expect(await transfersOnChain(devnet, official.payer, api.payTo)).toEqual([10_000n])
  })
})
