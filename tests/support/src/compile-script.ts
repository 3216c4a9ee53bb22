import { createHash } from 'node:crypto'
import { existsSync, mkdirSync, renameSync } from 'node:fs'
import { basename, dirname, join } from 'node:path'
import { build, type Plugin } from 'esbuild'

const compiled = new Map<string, Promise<string>>()

/**
 * The JavaScript to run with `node` for a TypeScript entry script that a test starts as a process:
 * its own files and the workspace's TypeScript-only packages (the apps) bundled into one module,
 * other packages left as imports, resolved from the entry's package; with an inline source map. Built once per test process. Starting it takes half the CPU of
 * `node --import tsx`, which runs every module through loader hooks (about one CPU-second saved
 * per process); run it with `--enable-source-maps` for stack traces in the TypeScript.
 *
 * `packageDirectory` is the package whose dependencies the bundle imports: default the entry's (the
 * nearest `package.json` above it); give it for an entry outside any package.
 *
 * @example spawn(process.execPath, ['--enable-source-maps', await compileScript(script)])
 * @throws {Error} when the entry has no package around it and none is given, or does not compile
 */
export function compileScript(entry: string, packageDirectory?: string): Promise<string> {
  let known = compiled.get(entry)
  if (known === undefined) {
    known = bundle(entry, packageDirectory ?? packageOf(entry))
    compiled.set(entry, known)
    known.catch(() => compiled.delete(entry))
  }
  return known
}

async function bundle(entry: string, packageDirectory: string): Promise<string> {
  // Inside the package, so the bundle's package imports resolve from its node_modules.
  const name = `${basename(entry).replace(/\.[cm]?ts$/, '')}-${createHash('sha256').update(entry).digest('hex').slice(0, 12)}`
  const directory = join(packageDirectory, 'node_modules', '.cache', 'tollgate-scripts')
  const outfile = join(directory, `${name}.mjs`)
  mkdirSync(directory, { recursive: true })
  // Written aside, then renamed: other test processes may build and start the same script at once.
  const pending = join(directory, `${name}.${process.pid}.tmp.mjs`)
  await build({
    entryPoints: [entry],
    outfile: pending,
    bundle: true,
    plugins: [builtPackagesExternal],
    platform: 'node',
    format: 'esm',
    target: 'node20',
    sourcemap: 'inline',
    logLevel: 'error',
  })
  renameSync(pending, outfile)
  return outfile
}

// A package import stays an import, unless the package's entry is TypeScript, which Node cannot run.
const builtPackagesExternal: Plugin = {
  name: 'built-packages-external',
  setup(builder) {
    builder.onResolve({ filter: /^[^./]/ }, async (args) => {
      if (args.pluginData === 'resolving') return undefined
      const resolved = await builder.resolve(args.path, {
        kind: args.kind,
        importer: args.importer,
        resolveDir: args.resolveDir,
        pluginData: 'resolving',
      })
      if (resolved.errors.length === 0 && /\.[cm]?tsx?$/.test(resolved.path)) return resolved
      return { path: args.path, external: true }
    })
  },
}

function packageOf(file: string): string {
  for (let directory = dirname(file); directory !== dirname(directory); directory = dirname(directory)) {
    if (existsSync(join(directory, 'package.json'))) return directory
  }
  throw new Error(`No package.json above ${file}.`)
}
