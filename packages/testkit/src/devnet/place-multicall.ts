import type { Chain, Hex, HttpTransport, PublicClient } from 'viem'
import { bytecode } from '../contracts/test-multicall.js'

/** Where Multicall3 lives on Ethereum, Polygon, Base, Arbitrum, BNB Chain and most other chains. @internal */
export const MULTICALL3_ADDRESS = '0xcA11bde05977b3631167028862bE2a173976CA11'

/**
 * Puts `TestMulticall` (Multicall3's `aggregate3`) at Multicall3's address, as public chains have
 * it, without a transaction: the creation code run as a deployless `eth_call` answers with the
 * runtime code, which `anvil_setCode` places. The deployer's nonces, and with them the token
 * addresses, stay as they were.
 * @internal
 * @example await placeMulticall(publicClient)
 */
export async function placeMulticall(publicClient: PublicClient<HttpTransport, Chain>): Promise<void> {
  const code = (await publicClient.request({
    method: 'eth_call',
    params: [{ data: bytecode }, 'latest'],
  } as never)) as Hex
  await publicClient.request({ method: 'anvil_setCode', params: [MULTICALL3_ADDRESS, code] } as never)
}
