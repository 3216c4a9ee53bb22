import type { PaidConformanceChain } from '@tollgate/core/test'
import type { Devnet } from '@tollgate/testkit'
import { type Address, parseEther } from 'viem'
import { generatePrivateKey, privateKeyToAccount } from 'viem/accounts'
import { transfersOnChain } from './chain-queries.js'
import { exactHeader } from './exact-payment.js'
import { holdingRpcProxy } from './holding-rpc-proxy.js'
import type { PaidConformanceChainData } from './paid-conformance-gate.js'
import { payWithTx } from './tx-payment.js'

/**
 * The devnet as `definePaidGateConformance` pays on it: each gate gets a fresh payee (and, for
 * `exact`, a fresh funded settler); `tx` requirements are paid from devnet account `from`, `exact`
 * ones by a fresh payer holding minted USDC; money is read from Transfer events.
 *
 * @example definePaidGateConformance({ describe, test, expect }, { name: 'hono', chain: () => paidConformanceChain(devnet), start })
 */
export function paidConformanceChain(devnet: Devnet, from = 1): PaidConformanceChain {
  const payer = privateKeyToAccount(generatePrivateKey())
  let funded: Promise<unknown> | undefined
  return {
    rpcUrl: devnet.rpcUrl,
    prepare: async (scheme) => {
      const payTo = privateKeyToAccount(generatePrivateKey()).address
      const data: PaidConformanceChainData = {
        network: devnet.network,
        chainId: devnet.chainId,
        usdc: { ...devnet.tokens.usdc },
      }
      if (scheme === 'exact') {
        const settlerKey = generatePrivateKey()
        await devnet.testClient.setBalance({
          address: privateKeyToAccount(settlerKey).address,
          value: parseEther('10'),
        })
        data.settlerKey = settlerKey
      }
      return { payTo, chain: data }
    },
    pay: async (requirements) => {
      if (requirements.scheme === 'tx') return payWithTx(devnet, requirements, from)
      funded ??= devnet.mint('usdc', payer.address, 1_000_000n)
      await funded
      return exactHeader(devnet, payer, requirements)
    },
    paidTo: async (payTo) => {
      const senders = [devnet.accounts[from]!.address, payer.address]
      const amounts = await Promise.all(
        senders.map((sender) => transfersOnChain(devnet, sender, payTo as Address)),
      )
      return amounts.flat()
    },
    holdingRpc: () => holdingRpcProxy(devnet.rpcUrl),
  }
}
