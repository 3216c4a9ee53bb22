import { defineConfig } from 'tsup'

export default defineConfig({
  entry: {
    index: 'src/index.ts',
    evm: 'src/evm/index.ts',
    solana: 'src/solana/index.ts',
    node: 'src/node/index.ts',
    test: 'src/test/index.ts',
  },
  format: ['esm', 'cjs'],
  dts: true,
  sourcemap: true,
  clean: true,
  target: 'es2022',
  splitting: true,
  treeshake: true,
})
