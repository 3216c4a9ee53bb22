import { hashDomain, parseEther, zeroAddress } from 'viem'
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, test } from 'vitest'
import { connectDevnet } from '../src/devnet/connect-devnet.js'
import { type Devnet, startDevnet } from '../src/devnet/start-devnet.js'
import { testUsdcAbi } from '../src/index.js'

let devnet: Devnet
let snapshot: `0x${string}`
beforeAll(async () => {
  devnet = await startDevnet()
})
afterAll(() => devnet?.stop())
beforeEach(async () => {
  snapshot = await devnet.snapshot()
})
afterEach(() => devnet.revert(snapshot))

function balanceOf(token: `0x${string}`, account: `0x${string}`): Promise<bigint> {
  return devnet.publicClient.readContract({
    address: token,
    abi: testUsdcAbi,
    functionName: 'balanceOf',
    args: [account],
  })
}

describe('startDevnet', () => {
  test('default', () => {
    const json = devnet.toJSON()
    expect(Object.keys(json)).toEqual(['rpcUrl', 'chainId', 'network', 'tokens', 'accounts'])
    expect(json.rpcUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/)
    expect(json.accounts).toHaveLength(10)
    expect(json.accounts.every((account) => Object.keys(account).join() === 'address,privateKey')).toBe(true)
    expect(JSON.parse(JSON.stringify(devnet))).toEqual(json)
    // Same addresses on every fresh chain: CREATE from account 0 with nonces 0 and 1.
    expect({ ...json, rpcUrl: undefined, accounts: json.accounts.slice(0, 2) }).toMatchInlineSnapshot(`
      {
        "accounts": [
          {
            "address": "0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266",
            "privateKey": "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80",
          },
          {
            "address": "0x70997970C51812dc3A010C7d01b50e0d17dc79C8",
            "privateKey": "0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d",
          },
        ],
        "chainId": 31337,
        "network": "eip155:31337",
        "rpcUrl": undefined,
        "tokens": {
          "usdc": {
            "address": "0x5FbDB2315678afecb367f032d93F642f64180aa3",
            "decimals": 6,
            "name": "USD Coin",
            "version": "2",
          },
          "usdc18": {
            "address": "0xe7f1725E7734CE288F8367e1Bb143E90bb3F0512",
            "decimals": 18,
            "name": "USD Coin",
            "version": "2",
          },
        },
      }
    `)
  })

  test('behavior: both tokens are deployed with their name, symbol, version and decimals', async () => {
    for (const token of [devnet.tokens.usdc, devnet.tokens.usdc18]) {
      const read = <Name extends 'name' | 'symbol' | 'version' | 'decimals' | 'owner' | 'DOMAIN_SEPARATOR'>(
        functionName: Name,
      ) => devnet.publicClient.readContract({ address: token.address, abi: testUsdcAbi, functionName })
      expect(await read('name')).toBe(token.name)
      expect(await read('symbol')).toBe(token.symbol)
      expect(await read('version')).toBe(token.version)
      expect(await read('decimals')).toBe(token.decimals)
      expect(await read('owner')).toBe(devnet.accounts[0]!.address)
      expect(await read('DOMAIN_SEPARATOR')).toBe(
        hashDomain({
          domain: {
            name: token.name,
            version: token.version,
            chainId: BigInt(devnet.chainId),
            verifyingContract: token.address,
          },
          types: {
            EIP712Domain: [
              { name: 'name', type: 'string' },
              { name: 'version', type: 'string' },
              { name: 'chainId', type: 'uint256' },
              { name: 'verifyingContract', type: 'address' },
            ],
          },
        }),
      )
    }
    expect(devnet.tokens.usdc).toMatchObject({ name: 'USD Coin', symbol: 'USDC', version: '2', decimals: 6 })
    expect(devnet.tokens.usdc18).toMatchObject({
      name: 'USD Coin',
      symbol: 'USDC',
      version: '2',
      decimals: 18,
    })
  })

  test('behavior: every account holds 1,000,000 of each token and anvil ether', async () => {
    for (const account of devnet.accounts) {
      expect(await balanceOf(devnet.tokens.usdc.address, account.address)).toBe(1_000_000n * 10n ** 6n)
      expect(await balanceOf(devnet.tokens.usdc18.address, account.address)).toBe(1_000_000n * 10n ** 18n)
      expect(await devnet.publicClient.getBalance({ address: account.address })).toBeGreaterThan(
        parseEther('9999'),
      )
    }
    const totalSupply = await devnet.publicClient.readContract({
      address: devnet.tokens.usdc.address,
      abi: testUsdcAbi,
      functionName: 'totalSupply',
    })
    expect(totalSupply).toBe(10n * 1_000_000n * 10n ** 6n)
  })

  test('behavior: snapshot and revert restore balances', async () => {
    const { usdc } = devnet.tokens
    const [from, to] = [devnet.accounts[1]!.address, devnet.accounts[2]!.address]
    const id = await devnet.snapshot()
    const hash = await devnet.walletClient(1).writeContract({
      address: usdc.address,
      abi: testUsdcAbi,
      functionName: 'transfer',
      args: [to, 250_000n],
    })
    await devnet.publicClient.waitForTransactionReceipt({ hash })
    expect(await balanceOf(usdc.address, to)).toBe(1_000_000_250_000n)
    await devnet.revert(id)
    expect(await balanceOf(usdc.address, from)).toBe(1_000_000_000_000n)
    expect(await balanceOf(usdc.address, to)).toBe(1_000_000_000_000n)
    expect(await devnet.publicClient.getTransaction({ hash }).catch(() => null)).toBeNull()
  })

  test('behavior: mint by token name or address', async () => {
    const stranger = '0x000000000000000000000000000000000000dEaD'
    await devnet.mint('usdc', stranger, 5n)
    await devnet.mint(devnet.tokens.usdc18.address, stranger, 7n)
    expect(await balanceOf(devnet.tokens.usdc.address, stranger)).toBe(5n)
    expect(await balanceOf(devnet.tokens.usdc18.address, stranger)).toBe(7n)
    // Concurrent calls are serialised, so they never collide on account 0's nonce.
    await Promise.all([1n, 2n, 3n].map((amount) => devnet.mint('usdc', stranger, amount)))
    expect(await balanceOf(devnet.tokens.usdc.address, stranger)).toBe(11n)
  })

  test('behavior: time and mining', async () => {
    const start = await devnet.publicClient.getBlock()
    await devnet.mine(3)
    expect(await devnet.publicClient.getBlockNumber({ cacheTime: 0 })).toBe(start.number + 3n)
    await devnet.setNextBlockTimestamp(start.timestamp + 1_000n)
    await devnet.mine()
    expect((await devnet.publicClient.getBlock()).timestamp).toBe(start.timestamp + 1_000n)
    await devnet.increaseTime(3_600)
    await devnet.mine()
    expect((await devnet.publicClient.getBlock()).timestamp).toBeGreaterThanOrEqual(start.timestamp + 4_600n)
  })

  test('behavior: walletClient signs with the chosen account', async () => {
    const client = devnet.walletClient(3)
    expect(client.account.address).toBe(devnet.accounts[3]!.address)
    expect(client.chain.id).toBe(devnet.chainId)
    expect(devnet.walletClient(3)).toBe(client)
  })

  test('error: bad arguments', async () => {
    expect(() => devnet.walletClient(10)).toThrowErrorMatchingInlineSnapshot(
      `[Error: no devnet account 10: there are 10]`,
    )
    await expect(devnet.mint('usdc6' as 'usdc', zeroAddress, 1n)).rejects.toThrowErrorMatchingInlineSnapshot(
      `[Error: unknown devnet token "usdc6"]`,
    )
    await expect(devnet.revert('0x1234')).rejects.toThrowErrorMatchingInlineSnapshot(
      `[Error: devnet snapshot 0x1234 is unknown or already used]`,
    )
  })
})

describe('startDevnet with options', () => {
  test('behavior: chain id, account count, token balance and block time', async () => {
    const custom = await startDevnet({ chainId: 8453, accounts: 3, tokenBalance: 5n, blockTime: 1 })
    try {
      expect(custom.network).toBe('eip155:8453')
      expect(await custom.publicClient.getChainId()).toBe(8453)
      expect(custom.accounts).toHaveLength(3)
      const balance = await custom.publicClient.readContract({
        address: custom.tokens.usdc18.address,
        abi: testUsdcAbi,
        functionName: 'balanceOf',
        args: [custom.accounts[2]!.address],
      })
      expect(balance).toBe(5n * 10n ** 18n)
      expect(custom.tokens.usdc.address).toBe(devnet.tokens.usdc.address)
    } finally {
      await custom.stop()
    }
  })
})

describe('connectDevnet', () => {
  test('behavior: the same chain, tokens and helpers from the JSON description; stop() leaves the node running', async () => {
    const connected = connectDevnet(JSON.parse(JSON.stringify(devnet.toJSON())))
    expect(connected.toJSON()).toEqual(devnet.toJSON())
    expect(connected.tokens).toEqual(devnet.tokens)
    const account = connected.accounts[3]!.address
    const before = await balanceOf(devnet.tokens.usdc.address, account)
    await connected.mint('usdc', account, 7n)
    // Read through the devnet that started the node: one chain.
    expect(await balanceOf(devnet.tokens.usdc.address, account)).toBe(before + 7n)
    await connected.stop()
    expect(await devnet.publicClient.getChainId()).toBe(31337)
  })

  test('error: a description without the tokens', () => {
    const { tokens, ...json } = devnet.toJSON()
    expect(() =>
      connectDevnet({ ...json, tokens: { usdc: tokens.usdc } } as never),
    ).toThrowErrorMatchingInlineSnapshot(`[Error: the devnet description has no usdc18 token]`)
  })
})
