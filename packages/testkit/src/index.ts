/**
 * @module @tollgate/testkit
 * A real local EVM chain for tests, demos and benchmarks: `startAnvil` runs the anvil binary
 * from `@foundry-rs/anvil` (never downloaded), and `startDevnet` adds a USDC-like token with
 * EIP-3009 and EIP-2612 (`usdc`, 6 decimals, and `usdc18`, 18 decimals) and funded accounts.
 * The Solana devnet lives at `@tollgate/testkit/solana`, so EVM users never load LiteSVM.
 */
export { type Anvil, type AnvilAccount, type StartAnvilOptions, startAnvil } from './anvil/start-anvil.js'
export {
  abi as testSmartWalletAbi,
  bytecode as testSmartWalletBytecode,
} from './contracts/test-smart-wallet.js'
export { abi as testUsdcAbi, bytecode as testUsdcBytecode } from './contracts/test-usdc.js'
export { connectDevnet } from './devnet/connect-devnet.js'
export {
  type Devnet,
  type DevnetAccount,
  type DevnetJson,
  type DevnetToken,
  type DevnetTokenName,
  type StartDevnetOptions,
  startDevnet,
} from './devnet/start-devnet.js'
