import { defineConfig } from 'tsup'
import { sharedTsupOptions } from '../../tsup.shared.js'

export default defineConfig({
  ...sharedTsupOptions,
  entry: { index: 'src/index.ts', solana: 'src/solana/index.ts', cli: 'src/cli.ts' },
  // The CLI is run, not imported: it needs no type declarations.
  dts: { entry: { index: 'src/index.ts', solana: 'src/solana/index.ts' } },
  // `import.meta.url` locates the anvil binary; the CJS build needs it shimmed.
  shims: true,
})
