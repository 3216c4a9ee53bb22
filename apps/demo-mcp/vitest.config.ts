import { testConfig } from '../../vitest.shared.js'

// Each test starts the server as a child process with tsx, which takes seconds on a busy machine.
export default testConfig({ process: ['test/demo-mcp.test.ts'] })
