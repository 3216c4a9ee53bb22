import { startSolanaDevnet } from '@tollgate/testkit/solana'

const devnet = await startSolanaDevnet()
const payer = devnet.accounts[0]! // { address, signer } — a non-extractable WebCrypto key
await devnet.tokenBalance('usdc', payer.address) // 1_000_000_000_000n
// devnet.rpcUrl speaks JSON-RPC to @solana/kit, the Tollgate verifier and wallet, or anything else.
await devnet.stop()
