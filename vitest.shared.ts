import { availableParallelism } from 'node:os'
import { fileURLToPath } from 'node:url'
import { defineConfig } from 'vitest/config'

const here = (path: string) => fileURLToPath(new URL(path, import.meta.url))

/**
 * Test files run at once, whatever the number of cores: vitest's default on two cores is one
 * worker, one file at a time, while integration and process files wait on anvil, redis-server and
 * the processes they started as much as they compute. (Projects run together must share it.)
 */
const WORKERS = Math.max(2, availableParallelism())

/** Settings every package's vitest config starts from. */
export const sharedTestConfig = {
  setupFiles: [here('./scripts/fail-on-console.ts')],
  include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
  testTimeout: 30_000,
  hookTimeout: 60_000,
  restoreMocks: true,
  maxWorkers: WORKERS,
  // A package may have no test of a kind (`--project unit` in an app without unit tests).
  passWithNoTests: true,
}

/** Options of {@link testConfig}. */
export type TestConfigOptions = {
  /**
   * Test files (globs, relative to the package) that start processes and signal them: the demo,
   * end-to-end and CLI tests. They form the `process` project, run by `test:process`. Default none.
   */
  process?: readonly string[]
  /**
   * The integration tests use devnets: `startDevnet()` of `@tollgate/testkit` then leases one
   * devnet per test worker, reverted to a fresh chain for every file. Default `false`.
   */
  devnet?: boolean
  /** Milliseconds a test may take, in every project. Default 30,000 (120,000 in `process`). */
  testTimeout?: number
}

/**
 * The vitest config of a package, as three projects:
 * - `unit`: `src/**\/*.test.ts`, pure and fast, all files in one module graph (`isolate: false`);
 * - `integration`: `test/**\/*.test.ts` against real components (anvil, redis-server, SQLite), all
 *   files of a worker in one module graph (`isolate: false`);
 * - `process`: the files named in `options.process`, which spawn and signal processes, all files of
 *   a worker in one module graph too.
 *
 * `vitest run --project unit --project integration` is the package's `test` script, and
 * `vitest run --project process` its `test:process` script, a turbo task of its own.
 *
 * @example export default testConfig({ devnet: true, process: ['test/cli.test.ts'] })
 */
export function testConfig(options: TestConfigOptions = {}) {
  const processFiles = [...(options.process ?? [])]
  const timeout = options.testTimeout === undefined ? {} : { testTimeout: options.testTimeout }
  // Projects that extend the root config concatenate its arrays: each project names its own files.
  const { include: _everyFile, ...shared } = sharedTestConfig
  return defineConfig({
    test: {
      ...shared,
      ...timeout,
      projects: [
        {
          extends: true,
          test: { name: 'unit', include: ['src/**/*.test.ts'], isolate: false },
        },
        {
          extends: true,
          test: {
            name: 'integration',
            include: ['test/**/*.test.ts'],
            exclude: processFiles,
            // One module graph per worker, as in `unit`: viem, the SDKs and the package itself are
            // imported once, not once per file (most of an integration run's CPU time otherwise).
            // Files share no state but the leased devnet, reverted for every file.
            isolate: false,
            ...(options.devnet === true ? { globalSetup: [here('./scripts/vitest/devnet-pool.ts')] } : {}),
          },
          ...(options.devnet === true
            ? {
                resolve: {
                  alias: [
                    { find: /^@tollgate\/testkit$/, replacement: here('./scripts/vitest/pooled-testkit.ts') },
                  ],
                },
              }
            : {}),
        },
        {
          extends: true,
          test: {
            name: 'process',
            // An empty list would fall back to the default globs: match nothing instead.
            include: processFiles.length > 0 ? processFiles : ['test/**/no-process-tests'],
            testTimeout: options.testTimeout ?? 120_000,
            // Starting several processes (each compiling TypeScript with tsx) on a busy machine:
            // their readiness deadlines (120 s) stay shorter than the hook's.
            hookTimeout: 180_000,
            // One module graph per worker, as in the other projects: a file's processes are its own,
            // the test runner's imports are not (12 e2e files: 43 → 27 CPU-s).
            isolate: false,
          },
        },
      ],
    },
  })
}
