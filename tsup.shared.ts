import type { Options } from 'tsup'

/**
 * How every published package is built: ESM + CJS per entry point, and type declarations in a
 * second step. `tsup` (the `build` script) writes the JavaScript, which is all the tests need;
 * `tsup --dts-only` (the `build:types` script, run by `check:package`, `test:tarballs` and
 * `release`) adds the declarations beside it without touching the JavaScript.
 */
export function tsupOptions(
  flags: Options,
  entry: Record<string, string>,
  options: { typesEntry?: Record<string, string>; shims?: boolean } = {},
): Options {
  // tsup hands the config its command-line flags, `dtsOnly` among them.
  if ((flags as { dtsOnly?: boolean }).dtsOnly === true) {
    return { entry: options.typesEntry ?? entry, format: ['esm', 'cjs'], dts: { only: true }, clean: false }
  }
  return {
    entry,
    format: ['esm', 'cjs'],
    dts: false,
    sourcemap: true,
    clean: true,
    target: 'es2022',
    splitting: true,
    treeshake: true,
    ...(options.shims ? { shims: true } : {}),
  }
}
