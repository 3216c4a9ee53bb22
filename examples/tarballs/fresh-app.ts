import { execFile, spawn } from 'node:child_process'
import { once } from 'node:events'
import { cpSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { basename, dirname, isAbsolute, join } from 'node:path'
import { promisify } from 'node:util'

const run = promisify(execFile)

/** The published packages, by directory under `packages/`. */
export const publishedPackages = [
  'core',
  'express',
  'hono',
  'langchain',
  'ai-sdk',
  'mcp',
  'prometheus',
  'redis',
  'sqlite',
  'testkit',
]

/**
 * Packs every published package with `pnpm pack` (which writes real version ranges for
 * `workspace:` ones) into `destination`, once each and all at once, and returns the tarball of each
 * package name.
 */
export async function packAll(root: string, destination: string): Promise<Record<string, string>> {
  mkdirSync(destination, { recursive: true })
  const packed = await Promise.all(
    publishedPackages.map(async (directory) => {
      const cwd = join(root, 'packages', directory)
      const { name } = JSON.parse(readFileSync(join(cwd, 'package.json'), 'utf8')) as { name: string }
      const { stdout } = await run('pnpm', ['pack', '--json', '--pack-destination', destination], {
        cwd,
        maxBuffer: 1 << 24,
      }).catch((error: { stderr?: string }) => {
        throw new Error(`pnpm pack failed for ${name}:\n${error.stderr ?? error}`)
      })
      const { filename } = JSON.parse(stdout) as { filename: string }
      return [name, isAbsolute(filename) ? filename : join(destination, basename(filename))] as const
    }),
  )
  for (const [name, tarball] of packed)
    if (!existsSync(tarball)) throw new Error(`pnpm pack made no tarball for ${name}`)
  return Object.fromEntries(packed)
}

/**
 * better-sqlite3 as the workspace installed it: its version, and a prebuilt-binary folder for
 * prebuild-install (`npm_config_better_sqlite3_local_prebuilds`) made from the binary the workspace
 * already compiled for this Node. A fresh app that pins this version then installs it without
 * compiling SQLite again (minutes on two cores); the package itself still comes from the registry.
 * Undefined when the workspace has no compiled binary (the app then compiles its own).
 */
export async function workspaceSqlitePrebuild(
  root: string,
  destination: string,
): Promise<{ version: string; env: Record<string, string> } | undefined> {
  const require = createRequire(join(root, 'packages/sqlite/package.json'))
  const manifest = require.resolve('better-sqlite3/package.json')
  const directory = dirname(manifest)
  if (!existsSync(join(directory, 'build/Release/better_sqlite3.node'))) return undefined
  const { version } = JSON.parse(readFileSync(manifest, 'utf8')) as { version: string }
  const libc =
    process.platform === 'linux' &&
    !(process.report?.getReport() as { header?: { glibcVersionRuntime?: string } })?.header
      ?.glibcVersionRuntime
      ? 'musl'
      : ''
  const file = `better-sqlite3-v${version}-node-v${process.versions.modules}-${process.platform}${libc}-${process.arch}.tar.gz`
  mkdirSync(destination, { recursive: true })
  await run('tar', ['czf', join(destination, file), '-C', directory, 'build/Release/better_sqlite3.node'])
  return { version, env: { npm_config_better_sqlite3_local_prebuilds: destination } }
}

/** A fresh app outside the workspace: its own package.json, npm install from the registry and the tarballs. */
export type FreshApp = { dir: string; node: string; tsx: string }

/**
 * Writes a new app into `dir` depending on the tarballs (and, through `overrides`, every nested
 * `@tollgate/*` dependency too, so nothing is fetched under our names from the registry), copies
 * `files` of the examples into `src/`, and installs it with npm.
 */
export async function createFreshApp(options: {
  dir: string
  tarballs: Record<string, string>
  dependencies: Record<string, string>
  files: { from: string; to: string }[]
  /** The app's Node binary, relative to its directory. Default this process's. */
  node?: string
  /** Extra environment of `npm install`. */
  installEnv?: Record<string, string>
}): Promise<FreshApp> {
  const { dir, tarballs } = options
  mkdirSync(join(dir, 'src'), { recursive: true })
  const local = Object.fromEntries(Object.entries(tarballs).map(([name, path]) => [name, `file:${path}`]))
  writeFileSync(
    join(dir, 'package.json'),
    JSON.stringify(
      {
        name: 'fresh-app',
        private: true,
        type: 'module',
        dependencies: { ...local, ...options.dependencies },
        overrides: local,
      },
      null,
      2,
    ),
  )
  writeFileSync(
    join(dir, 'tsconfig.json'),
    JSON.stringify({
      compilerOptions: {
        target: 'ES2022',
        module: 'NodeNext',
        moduleResolution: 'NodeNext',
        strict: true,
        skipLibCheck: true,
        noEmit: true,
        types: ['node'],
      },
      include: ['src'],
    }),
  )
  for (const file of options.files) cpSync(file.from, join(dir, 'src', file.to))
  // One npm cache for every app (npm's own), read before the registry.
  await run('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund', '--loglevel=error'], {
    cwd: dir,
    maxBuffer: 1 << 26,
    env: { ...process.env, npm_config_update_notifier: 'false', ...options.installEnv },
  }).catch((error: { stderr?: string }) => {
    throw new Error(`npm install failed in ${dir}:\n${error.stderr ?? error}`)
  })
  const node = options.node === undefined ? process.execPath : join(dir, options.node)
  return { dir, node, tsx: join(dir, 'node_modules/tsx/dist/cli.mjs') }
}

/** Type-checks the app's sources with its own TypeScript. */
export async function typecheck(app: FreshApp): Promise<void> {
  await run(app.node, [join(app.dir, 'node_modules/typescript/bin/tsc'), '-p', app.dir], {
    cwd: app.dir,
  }).catch((error: { stdout?: string }) => {
    throw new Error(`tsc failed in ${app.dir}:\n${error.stdout ?? error}`)
  })
}

/** Runs `src/<file>` of the app to its end; resolves with its stdout. */
export async function runInApp(app: FreshApp, file: string, env: Record<string, string>): Promise<string> {
  const { stdout } = await run(app.node, [app.tsx, join('src', file)], {
    cwd: app.dir,
    env: { ...process.env, ...env },
    timeout: 120_000,
  }).catch((error: { stdout?: string; stderr?: string }) => {
    throw new Error(`${file} failed:\n${error.stdout ?? ''}\n${error.stderr ?? error}`)
  })
  return stdout
}

/** Starts `src/<file>` of the app and resolves once its stdout matches `ready`. */
export async function startInApp(app: FreshApp, file: string, env: Record<string, string>, ready: RegExp) {
  const child = spawn(app.node, [app.tsx, join('src', file)], {
    cwd: app.dir,
    env: { ...process.env, ...env },
  })
  let output = ''
  await new Promise<void>((resolve, reject) => {
    child.stdout.on('data', (chunk: Buffer) => {
      output += chunk
      if (ready.test(output)) resolve()
    })
    child.stderr.on('data', (chunk: Buffer) => {
      output += chunk
    })
    child.once('exit', (code) => reject(new Error(`${file} exited with ${code}:\n${output}`)))
  })
  return async () => {
    if (child.exitCode !== null) return
    child.kill('SIGTERM')
    await once(child, 'exit')
  }
}
