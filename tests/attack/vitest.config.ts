import { defineConfig } from 'vitest/config'
import { sharedTestConfig } from '../../vitest.shared.js'

// One file, one devnet, one Redis, one pair of gate processes: the cases share them.
export default defineConfig({
  test: { ...sharedTestConfig, testTimeout: 30_000, hookTimeout: 90_000, maxConcurrency: 10 },
})
