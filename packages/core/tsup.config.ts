import { defineConfig } from 'tsup'
import { tsupOptions } from '../../tsup.shared.js'

export default defineConfig((flags) =>
  tsupOptions(flags, {
    index: 'src/index.ts',
    evm: 'src/evm/index.ts',
    solana: 'src/solana/index.ts',
    node: 'src/node/index.ts',
    test: 'src/test/index.ts',
  }),
)
