import type { Devnet } from '@tollgate/testkit'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { readTokenDomain } from '../src/evm/read-token-domain.js'
import { createJsonRpc } from '../src/rpc/create-json-rpc.js'
import { startDevnet } from './support/devnet-gate.js'

let devnet: Devnet

beforeAll(async () => {
  devnet = await startDevnet()
})
afterAll(async () => {
  await devnet?.stop()
})

describe('readTokenDomain (the EIP-712 domain an MPP request leaves out, from the token itself)', () => {
  test('default: name() and version(), as DOMAIN_SEPARATOR() confirms', async () => {
    const rpc = createJsonRpc({ url: devnet.rpcUrl })
    for (const token of [devnet.tokens.usdc, devnet.tokens.usdc18]) {
      expect(await readTokenDomain(rpc, devnet.chainId, token.address)).toEqual({
        name: token.name,
        version: token.version,
      })
    }
  })

  test('error: a domain the token DOMAIN_SEPARATOR() contradicts (another chain) is refused', async () => {
    const rpc = createJsonRpc({ url: devnet.rpcUrl })
    await expect(readTokenDomain(rpc, 1, devnet.tokens.usdc.address)).rejects.toMatchObject({
      code: 'wallet_unavailable',
      message: expect.stringContaining('DOMAIN_SEPARATOR'),
    })
  })

  test('error: an address that is no token answers no domain', async () => {
    const rpc = createJsonRpc({ url: devnet.rpcUrl })
    await expect(readTokenDomain(rpc, devnet.chainId, devnet.accounts[3]!.address)).rejects.toMatchObject({
      code: 'wallet_unavailable',
    })
  })
})
