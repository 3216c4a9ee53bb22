import { testConfig } from '../../vitest.shared.js'

// The demo script run as a process, signals included.
export default testConfig({
  devnet: true,
  process: ['test/demo-script.test.ts', 'test/demo-interrupt.test.ts'],
})
