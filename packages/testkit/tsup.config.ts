import { defineConfig } from 'tsup'

export default defineConfig({
  entry: { index: 'src/index.ts', solana: 'src/solana/index.ts', cli: 'src/cli.ts' },
  format: ['esm', 'cjs'],
  // The CLI is run, not imported: it needs no type declarations.
  dts: { entry: { index: 'src/index.ts', solana: 'src/solana/index.ts' } },
  sourcemap: true,
  clean: true,
  target: 'es2022',
  splitting: true,
  treeshake: true,
  // `import.meta.url` locates the anvil binary; the CJS build needs it shimmed.
  shims: true,
})
