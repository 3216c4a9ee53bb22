import { defineConfig } from 'tsup'
import { tsupOptions } from '../../tsup.shared.js'

export default defineConfig((flags) =>
  tsupOptions(
    flags,
    { index: 'src/index.ts', solana: 'src/solana/index.ts', cli: 'src/cli.ts' },
    // The CLI is run, not imported: it needs no type declarations. `import.meta.url` locates the
    // anvil binary; the CJS build needs it shimmed.
    { typesEntry: { index: 'src/index.ts', solana: 'src/solana/index.ts' }, shims: true },
  ),
)
