import { testConfig } from '../../vitest.shared.js'

// Gate processes killed with SIGKILL and restarted: the matrix is a process test (`test:process`).
export default testConfig({ process: ['test/**/*.test.ts'] })
