import {
  type Address,
  concat,
  encodeFunctionData,
  type Hash,
  type Hex,
  hashTypedData,
  numberToHex,
  parseEventLogs,
  parseSignature,
} from 'viem'
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, test } from 'vitest'
import { type Devnet, type DevnetToken, startDevnet } from '../src/devnet/start-devnet.js'
import { testSmartWalletAbi, testUsdcAbi } from '../src/index.js'

let devnet: Devnet
let snapshot: Hex
beforeAll(async () => {
  devnet = await startDevnet()
})
afterAll(() => devnet?.stop())
beforeEach(async () => {
  snapshot = await devnet.snapshot()
})
afterEach(() => devnet.revert(snapshot))

const authorizationFields = [
  { name: 'from', type: 'address' },
  { name: 'to', type: 'address' },
  { name: 'value', type: 'uint256' },
  { name: 'validAfter', type: 'uint256' },
  { name: 'validBefore', type: 'uint256' },
  { name: 'nonce', type: 'bytes32' },
] as const
const types = {
  TransferWithAuthorization: authorizationFields,
  ReceiveWithAuthorization: authorizationFields,
  CancelAuthorization: [
    { name: 'authorizer', type: 'address' },
    { name: 'nonce', type: 'bytes32' },
  ],
  Permit: [
    { name: 'owner', type: 'address' },
    { name: 'spender', type: 'address' },
    { name: 'value', type: 'uint256' },
    { name: 'nonce', type: 'uint256' },
    { name: 'deadline', type: 'uint256' },
  ],
} as const

interface Authorization {
  from: Address
  to: Address
  value: bigint
  validAfter: bigint
  validBefore: bigint
  nonce: Hex
}

function domainOf(token: DevnetToken) {
  return {
    name: token.name,
    version: token.version,
    chainId: devnet.chainId,
    verifyingContract: token.address,
  }
}

let nonceCounter = 0
function freshNonce(): Hex {
  nonceCounter += 1
  return numberToHex(nonceCounter, { size: 32 })
}

async function now(): Promise<bigint> {
  return (await devnet.publicClient.getBlock({ blockTag: 'latest' })).timestamp
}

async function authorization(fromIndex: number, toIndex: number, value: bigint): Promise<Authorization> {
  return {
    from: devnet.accounts[fromIndex]!.address,
    to: devnet.accounts[toIndex]!.address,
    value,
    validAfter: 0n,
    validBefore: (await now()) + 3_600n,
    nonce: freshNonce(),
  }
}

/** Signs an EIP-3009 authorization with account `signerIndex`, as a wallet would. */
function signAuthorization(
  signerIndex: number,
  message: Authorization,
  primaryType: 'TransferWithAuthorization' | 'ReceiveWithAuthorization' = 'TransferWithAuthorization',
  token: DevnetToken = devnet.tokens.usdc,
): Promise<Hex> {
  return devnet
    .walletClient(signerIndex)
    .signTypedData({ domain: domainOf(token), types, primaryType, message })
}

function splitSignature(signature: Hex): readonly [number, Hex, Hex] {
  const { r, s, yParity } = parseSignature(signature)
  return [yParity + 27, r, s]
}

function vrsArguments(message: Authorization, signature: Hex) {
  const { from, to, value, validAfter, validBefore, nonce } = message
  return [from, to, value, validAfter, validBefore, nonce, ...splitSignature(signature)] as const
}

function bytesArguments(message: Authorization, signature: Hex) {
  const { from, to, value, validAfter, validBefore, nonce } = message
  return [from, to, value, validAfter, validBefore, nonce, signature] as const
}

async function confirm(hash: Promise<Hash>) {
  const receipt = await devnet.publicClient.waitForTransactionReceipt({ hash: await hash })
  expect(receipt.status).toBe('success')
  return receipt
}

function balanceOf(account: Address, token: DevnetToken = devnet.tokens.usdc): Promise<bigint> {
  return devnet.publicClient.readContract({
    address: token.address,
    abi: testUsdcAbi,
    functionName: 'balanceOf',
    args: [account],
  })
}

const startBalance = 1_000_000_000_000n

describe('TestUsdc transferWithAuthorization', () => {
  test('default: a signed authorization moves tokens, once', async () => {
    const message = await authorization(1, 2, 1_500_000n)
    const signature = await signAuthorization(1, message)
    const relayer = devnet.walletClient(3)
    const receipt = await confirm(
      relayer.writeContract({
        address: devnet.tokens.usdc.address,
        abi: testUsdcAbi,
        functionName: 'transferWithAuthorization',
        args: vrsArguments(message, signature),
      }),
    )
    expect(parseEventLogs({ abi: testUsdcAbi, logs: receipt.logs }).map((log) => log.eventName)).toEqual([
      'AuthorizationUsed',
      'Transfer',
    ])
    expect(await balanceOf(message.from)).toBe(startBalance - 1_500_000n)
    expect(await balanceOf(message.to)).toBe(startBalance + 1_500_000n)
    const used = await devnet.publicClient.readContract({
      address: devnet.tokens.usdc.address,
      abi: testUsdcAbi,
      functionName: 'authorizationState',
      args: [message.from, message.nonce],
    })
    expect(used).toBe(true)

    // A replay of the same nonce reverts, in either signature form.
    for (const args of [vrsArguments(message, signature), bytesArguments(message, signature)]) {
      await expect(
        relayer.writeContract({
          address: devnet.tokens.usdc.address,
          abi: testUsdcAbi,
          functionName: 'transferWithAuthorization',
          args,
        }),
      ).rejects.toThrow('FiatTokenV2: authorization is used or canceled')
    }
  })

  test('behavior: the bytes signature form works for an EOA, on the 18-decimal token too', async () => {
    const token = devnet.tokens.usdc18
    const message = await authorization(4, 5, 10n ** 18n)
    const signature = await signAuthorization(4, message, 'TransferWithAuthorization', token)
    await confirm(
      devnet.walletClient(6).writeContract({
        address: token.address,
        abi: testUsdcAbi,
        functionName: 'transferWithAuthorization',
        args: bytesArguments(message, signature),
      }),
    )
    expect(await balanceOf(message.to, token)).toBe(10n ** 24n + 10n ** 18n)
  })

  test('error: validBefore in the past', async () => {
    const message = { ...(await authorization(1, 2, 1n)), validBefore: (await now()) - 1n }
    const signature = await signAuthorization(1, message)
    await expect(
      devnet.walletClient(3).writeContract({
        address: devnet.tokens.usdc.address,
        abi: testUsdcAbi,
        functionName: 'transferWithAuthorization',
        args: vrsArguments(message, signature),
      }),
    ).rejects.toThrow('FiatTokenV2: authorization is expired')
  })

  test('error: validAfter in the future', async () => {
    const message = { ...(await authorization(1, 2, 1n)), validAfter: (await now()) + 600n }
    const signature = await signAuthorization(1, message)
    await expect(
      devnet.walletClient(3).writeContract({
        address: devnet.tokens.usdc.address,
        abi: testUsdcAbi,
        functionName: 'transferWithAuthorization',
        args: vrsArguments(message, signature),
      }),
    ).rejects.toThrow('FiatTokenV2: authorization is not yet valid')
  })

  test('error: signed by someone else, or for another token', async () => {
    const message = await authorization(1, 2, 1n)
    const byStranger = await signAuthorization(7, message)
    const forOtherToken = await signAuthorization(
      1,
      message,
      'TransferWithAuthorization',
      devnet.tokens.usdc18,
    )
    for (const signature of [byStranger, forOtherToken]) {
      await expect(
        devnet.walletClient(3).writeContract({
          address: devnet.tokens.usdc.address,
          abi: testUsdcAbi,
          functionName: 'transferWithAuthorization',
          args: bytesArguments(message, signature),
        }),
      ).rejects.toThrow('FiatTokenV2: invalid signature')
    }
  })

  test('error: a high-s (malleable) signature is rejected', async () => {
    const message = await authorization(1, 2, 1n)
    const { r, s, yParity } = parseSignature(await signAuthorization(1, message))
    const curveOrder = 0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141n
    const highS = numberToHex(curveOrder - BigInt(s), { size: 32 })
    const malleable = concat([r, highS, numberToHex(yParity === 0 ? 28 : 27, { size: 1 })])
    await expect(
      devnet.walletClient(3).writeContract({
        address: devnet.tokens.usdc.address,
        abi: testUsdcAbi,
        functionName: 'transferWithAuthorization',
        args: bytesArguments(message, malleable),
      }),
    ).rejects.toThrow("ECRecover: invalid signature 's' value")
  })
})

describe('TestUsdc receiveWithAuthorization', () => {
  test('default: the payee submits it', async () => {
    const message = await authorization(1, 2, 42n)
    const signature = await signAuthorization(1, message, 'ReceiveWithAuthorization')
    await confirm(
      devnet.walletClient(2).writeContract({
        address: devnet.tokens.usdc.address,
        abi: testUsdcAbi,
        functionName: 'receiveWithAuthorization',
        args: vrsArguments(message, signature),
      }),
    )
    expect(await balanceOf(message.to)).toBe(startBalance + 42n)
  })

  test('error: any other caller reverts', async () => {
    const message = await authorization(1, 2, 42n)
    const signature = await signAuthorization(1, message, 'ReceiveWithAuthorization')
    for (const args of [vrsArguments(message, signature), bytesArguments(message, signature)]) {
      await expect(
        devnet.walletClient(3).writeContract({
          address: devnet.tokens.usdc.address,
          abi: testUsdcAbi,
          functionName: 'receiveWithAuthorization',
          args,
        }),
      ).rejects.toThrow('FiatTokenV2: caller must be the payee')
    }
  })

  test('error: a TransferWithAuthorization signature is not a ReceiveWithAuthorization one', async () => {
    const message = await authorization(1, 2, 42n)
    const signature = await signAuthorization(1, message, 'TransferWithAuthorization')
    await expect(
      devnet.walletClient(2).writeContract({
        address: devnet.tokens.usdc.address,
        abi: testUsdcAbi,
        functionName: 'receiveWithAuthorization',
        args: vrsArguments(message, signature),
      }),
    ).rejects.toThrow('FiatTokenV2: invalid signature')
  })
})

describe('TestUsdc cancelAuthorization', () => {
  test('default: a canceled nonce can no longer be used', async () => {
    const message = await authorization(1, 2, 1n)
    const transferSignature = await signAuthorization(1, message)
    const cancelSignature = await devnet.walletClient(1).signTypedData({
      domain: domainOf(devnet.tokens.usdc),
      types,
      primaryType: 'CancelAuthorization',
      message: { authorizer: message.from, nonce: message.nonce },
    })
    const receipt = await confirm(
      devnet.walletClient(3).writeContract({
        address: devnet.tokens.usdc.address,
        abi: testUsdcAbi,
        functionName: 'cancelAuthorization',
        args: [message.from, message.nonce, ...splitSignature(cancelSignature)],
      }),
    )
    expect(parseEventLogs({ abi: testUsdcAbi, logs: receipt.logs }).map((log) => log.eventName)).toEqual([
      'AuthorizationCanceled',
    ])
    await expect(
      devnet.walletClient(3).writeContract({
        address: devnet.tokens.usdc.address,
        abi: testUsdcAbi,
        functionName: 'transferWithAuthorization',
        args: bytesArguments(message, transferSignature),
      }),
    ).rejects.toThrow('FiatTokenV2: authorization is used or canceled')
  })
})

describe('TestUsdc permit', () => {
  test('default: an EIP-2612 permit sets the allowance and bumps the nonce', async () => {
    const owner = devnet.accounts[1]!.address
    const spender = devnet.accounts[2]!.address
    const message = { owner, spender, value: 700n, nonce: 0n, deadline: (await now()) + 3_600n }
    const signature = await devnet.walletClient(1).signTypedData({
      domain: domainOf(devnet.tokens.usdc),
      types,
      primaryType: 'Permit',
      message,
    })
    const args = [owner, spender, message.value, message.deadline, ...splitSignature(signature)] as const
    const permit = () =>
      devnet.walletClient(3).writeContract({
        address: devnet.tokens.usdc.address,
        abi: testUsdcAbi,
        functionName: 'permit',
        args,
      })
    await confirm(permit())
    const read = (functionName: 'allowance' | 'nonces') =>
      functionName === 'allowance'
        ? devnet.publicClient.readContract({
            address: devnet.tokens.usdc.address,
            abi: testUsdcAbi,
            functionName,
            args: [owner, spender],
          })
        : devnet.publicClient.readContract({
            address: devnet.tokens.usdc.address,
            abi: testUsdcAbi,
            functionName,
            args: [owner],
          })
    expect(await read('allowance')).toBe(700n)
    expect(await read('nonces')).toBe(1n)
    await confirm(
      devnet.walletClient(2).writeContract({
        address: devnet.tokens.usdc.address,
        abi: testUsdcAbi,
        functionName: 'transferFrom',
        args: [owner, spender, 700n],
      }),
    )
    expect(await balanceOf(spender)).toBe(startBalance + 700n)
    expect(await read('allowance')).toBe(0n)
    // The nonce moved on, so the same permit no longer verifies.
    await expect(permit()).rejects.toThrow('EIP2612: invalid signature')
  })

  test('error: an expired permit', async () => {
    const owner = devnet.accounts[1]!.address
    const spender = devnet.accounts[2]!.address
    const message = { owner, spender, value: 1n, nonce: 0n, deadline: (await now()) - 1n }
    const signature = await devnet.walletClient(1).signTypedData({
      domain: domainOf(devnet.tokens.usdc),
      types,
      primaryType: 'Permit',
      message,
    })
    await expect(
      devnet.walletClient(3).writeContract({
        address: devnet.tokens.usdc.address,
        abi: testUsdcAbi,
        functionName: 'permit',
        args: [owner, spender, 1n, message.deadline, signature],
      }),
    ).rejects.toThrow('FiatTokenV2: permit is expired')
  })
})

describe('TestSmartWallet (ERC-1271)', () => {
  test('default: transferWithAuthorization(bytes) accepts the wallet owner signature', async () => {
    const wallet = await devnet.deploySmartWallet(4)
    expect(await devnet.publicClient.getCode({ address: wallet })).toMatch(/^0x[0-9a-f]{100,}$/)
    await devnet.mint('usdc', wallet, 2_000_000n)
    const message = { ...(await authorization(0, 5, 1_250_000n)), from: wallet }
    // The owner key signs the same typed data, with the wallet as `from`.
    const signature = await signAuthorization(4, message)
    const digest = hashTypedData({
      domain: domainOf(devnet.tokens.usdc),
      types,
      primaryType: 'TransferWithAuthorization',
      message,
    })
    const isValidSignature = (hash: Hex, bytes: Hex) =>
      devnet.publicClient.readContract({
        address: wallet,
        abi: testSmartWalletAbi,
        functionName: 'isValidSignature',
        args: [hash, bytes],
      })
    expect(await isValidSignature(digest, signature)).toBe('0x1626ba7e')
    expect(await isValidSignature(digest, await signAuthorization(6, message))).toBe('0xffffffff')
    expect(await isValidSignature(digest, '0x1234')).toBe('0xffffffff')

    await confirm(
      devnet.walletClient(7).writeContract({
        address: devnet.tokens.usdc.address,
        abi: testUsdcAbi,
        functionName: 'transferWithAuthorization',
        args: bytesArguments(message, signature),
      }),
    )
    expect(await balanceOf(wallet)).toBe(750_000n)
    expect(await balanceOf(message.to)).toBe(startBalance + 1_250_000n)

    // As in FiatToken v2.2, the (v, r, s) form packs the signature and checks it the same way.
    const second = { ...message, value: 750_000n, nonce: freshNonce() }
    await confirm(
      devnet.walletClient(7).writeContract({
        address: devnet.tokens.usdc.address,
        abi: testUsdcAbi,
        functionName: 'transferWithAuthorization',
        args: vrsArguments(second, await signAuthorization(4, second)),
      }),
    )
    expect(await balanceOf(wallet)).toBe(0n)
  })

  test('error: a signature by anyone but the owner is rejected', async () => {
    const wallet = await devnet.deploySmartWallet(4)
    await devnet.mint('usdc', wallet, 2_000_000n)
    const message = { ...(await authorization(0, 5, 1n)), from: wallet }
    const signature = await signAuthorization(6, message)
    await expect(
      devnet.walletClient(7).writeContract({
        address: devnet.tokens.usdc.address,
        abi: testUsdcAbi,
        functionName: 'transferWithAuthorization',
        args: bytesArguments(message, signature),
      }),
    ).rejects.toThrow('FiatTokenV2: invalid signature')
  })

  test('behavior: the owner can make the wallet send tokens; nobody else can', async () => {
    const wallet = await devnet.deploySmartWallet(4)
    await devnet.mint('usdc', wallet, 100n)
    const recipient = devnet.accounts[8]!.address
    const data = encodeFunctionData({ abi: testUsdcAbi, functionName: 'transfer', args: [recipient, 60n] })
    const execute = (accountIndex: number) =>
      devnet.walletClient(accountIndex).writeContract({
        address: wallet,
        abi: testSmartWalletAbi,
        functionName: 'execute',
        args: [devnet.tokens.usdc.address, 0n, data],
      })
    await confirm(execute(4))
    expect(await balanceOf(wallet)).toBe(40n)
    expect(await balanceOf(recipient)).toBe(startBalance + 60n)
    await expect(execute(5)).rejects.toThrow('TestSmartWallet: caller is not the owner')
  })
})
