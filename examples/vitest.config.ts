import { testConfig } from '../vitest.shared.js'

// The README examples run as the processes a reader starts (servers, agents, MCP over stdio): a
// process test (`test:process`), its own turbo task beside the README output and block checks.
export default testConfig({
  process: ['test/examples-gates.test.ts', 'test/examples-agents.test.ts'],
  testTimeout: 120_000,
})
