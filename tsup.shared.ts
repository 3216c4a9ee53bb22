import type { Options } from 'tsup'

/** How every published package is built: ESM + CJS + type declarations per entry point. */
export const sharedTsupOptions = {
  format: ['esm', 'cjs'],
  dts: true,
  sourcemap: true,
  clean: true,
  target: 'es2022',
  splitting: true,
  treeshake: true,
} satisfies Options
