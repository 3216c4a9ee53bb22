import { testConfig } from '../../vitest.shared.js'

// The CLI's signal handling and a script that exits without stopping anvil: child processes.
export default testConfig({ process: ['test/cli.test.ts', 'test/start-anvil.test.ts'] })
