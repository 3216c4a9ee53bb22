import { startDevnet, testUsdcAbi } from '@tollgate/testkit'

const devnet = await startDevnet()
const { usdc } = devnet.tokens
const payer = devnet.accounts[0]!
const payee = devnet.accounts[1]!

const authorization = {
  from: payer.address,
  to: payee.address,
  value: 1_000_000n,
  validAfter: 0n,
  validBefore: BigInt(Math.floor(Date.now() / 1000) + 600),
  nonce: `0x${'11'.repeat(32)}`,
} as const
const signature = await devnet.walletClient(0).signTypedData({
  domain: {
    name: usdc.name,
    version: usdc.version,
    chainId: devnet.chainId,
    verifyingContract: usdc.address,
  },
  types: {
    TransferWithAuthorization: [
      { name: 'from', type: 'address' },
      { name: 'to', type: 'address' },
      { name: 'value', type: 'uint256' },
      { name: 'validAfter', type: 'uint256' },
      { name: 'validBefore', type: 'uint256' },
      { name: 'nonce', type: 'bytes32' },
    ],
  },
  primaryType: 'TransferWithAuthorization',
  message: authorization,
})
const { from, to, value, validAfter, validBefore, nonce } = authorization
await devnet.walletClient(2).writeContract({
  address: usdc.address,
  abi: testUsdcAbi,
  functionName: 'transferWithAuthorization',
  args: [from, to, value, validAfter, validBefore, nonce, signature],
})
await devnet.stop()
