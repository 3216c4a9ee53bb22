import { defineConfig } from 'vitest/config'
import { sharedTestConfig } from '../vitest.shared.js'

// Packs every published package, installs the tarballs into fresh apps with npm and runs the
// README examples there: minutes of npm work, so a task of its own (`test:tarballs`).
export default defineConfig({
  test: {
    ...sharedTestConfig,
    include: ['tarballs/**/*.test.ts'],
    testTimeout: 900_000,
    hookTimeout: 900_000,
  },
})
