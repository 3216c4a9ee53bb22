import { fileURLToPath } from 'node:url'

/** Settings every package's vitest config starts from. */
export const sharedTestConfig = {
  setupFiles: [fileURLToPath(new URL('./scripts/fail-on-console.ts', import.meta.url))],
  include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
  testTimeout: 30_000,
  hookTimeout: 60_000,
  restoreMocks: true,
}
