/**
 * Measures the memory store's heap per claimed proof. Run with `--expose-gc` (main.ts does):
 * `node --expose-gc --import tsx src/measure-memory-main.ts 100000` prints one JSON line,
 * `{ claims, heapBefore, heapAfter, bytesPerClaim }`.
 */
import { createMemoryStore } from '@tollgate/core'

const claims = Number(process.argv[2] ?? 100_000)
const gc = (globalThis as { gc?: () => void }).gc
if (gc === undefined) throw new Error('Run with --expose-gc.')

function settle(): number {
  // Several passes: one full GC can leave work for the next.
  for (let pass = 0; pass < 4; pass++) gc!()
  return process.memoryUsage().heapUsed
}

function randomHash(): string {
  return `0x${Buffer.from(crypto.getRandomValues(new Uint8Array(32))).toString('hex')}`
}

// The gate's own claim TTL for tx proofs: acceptance window + 2 × skew + 60 s (defaults).
const claimTtlSeconds = 3600 + 2 * 30 + 60
// Warm the code paths in a store that is then dropped, so the measured one holds only its claims.
const warm = createMemoryStore()
for (let index = 0; index < 1000; index++)
  await warm.claim(`tx:eip155:8453:${randomHash()}`, { ttlSeconds: claimTtlSeconds })
const store = createMemoryStore()
const heapBefore = settle()
for (let index = 0; index < claims; index++) {
  // The gate's key for a tx proof: `tx:<network>:<transaction hash>`.
  const result = await store.claim(`tx:eip155:8453:${randomHash()}`, { ttlSeconds: claimTtlSeconds })
  if (!result.claimed) throw new Error('A fresh claim was refused.')
}
const heapAfter = settle()
if (store.size() < claims) throw new Error('The store lost claims.')
process.stdout.write(
  `${JSON.stringify({ claims, heapBefore, heapAfter, bytesPerClaim: (heapAfter - heapBefore) / claims })}\n`,
)
