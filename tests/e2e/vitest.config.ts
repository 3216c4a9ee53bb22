import { testConfig } from '../../vitest.shared.js'

// Gates as separate processes, killed and restarted: the whole suite is process tests.
export default testConfig({ process: ['test/**/*.test.ts'] })
