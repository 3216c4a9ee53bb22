import { defineConfig } from 'vitest/config'
import { sharedTestConfig } from '../../vitest.shared.js'

// Each test starts the server as a child process with tsx, which takes seconds on a busy machine.
export default defineConfig({ test: { ...sharedTestConfig, testTimeout: 60_000 } })
