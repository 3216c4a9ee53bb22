import { mergeConfig } from 'vitest/config'
import { testConfig } from '../../vitest.shared.js'

const config = testConfig({ devnet: true })

// `TOLLGATE_AI_SDK=7` (the `test:node22` script: AI SDK 7 needs Node 22) runs the same tests, and
// the adapter's sources, against AI SDK 7, installed next to 6 as `ai-v7`.
export default process.env.TOLLGATE_AI_SDK === '7'
  ? mergeConfig(config, { resolve: { alias: [{ find: /^ai(\/.*)?$/, replacement: 'ai-v7$1' }] } })
  : config
