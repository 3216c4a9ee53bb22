import { testConfig } from '../../vitest.shared.js'

// `src/main.ts` run as a process and signalled.
export default testConfig({ devnet: true, process: ['test/main.test.ts'] })
