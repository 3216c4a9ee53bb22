#!/usr/bin/env node
// Entry point of `npm test`, `npm run demo` and `npm run bench` on a machine that has only Node
// and npm: it finds or fetches pnpm, installs the workspace from the lockfile when needed, then
// runs the task. Diagnostics go to stderr so a task's own stdout stays clean.
import { spawnSync } from 'node:child_process'
import { existsSync, readFileSync, statSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { node22 } from './node22.mjs'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')
const pnpmVersion = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).packageManager.split('@')[1]
const task = process.argv[2]
const extra = process.argv.slice(3)

const tasks = {
  // Lint, type-check and test every package (unit, integration and process tests) from source;
  // the JavaScript builds the tests import run first. The adapters' tests run again on Node 22
  // (`test:node22`, AI SDK 7 there); their README examples run on Node 22 in `test:tarballs`.
  // Unchanged packages come from turbo's cache. The type check is one program over the whole workspace's sources
  // (`check:types`, `tsconfig.check.json` maps `@tollgate/*` to `src`), so it needs no build; TypeScript 7's
  // native compiler runs it single-threaded, as turbo already runs two tasks at a time.
  // What would be published (type declarations, publint, attw, fresh npm apps) is checked by
  // `test:tarballs`. Each task's log level is in turbo.json: tests print vitest's summary.
  test: [
    ['exec', 'biome', 'check', '.'],
    [
      'exec',
      'turbo',
      'run',
      'check:types',
      'test',
      'test:process',
      'test:node22',
      '--concurrency=2',
      ...extra,
    ],
  ],
  // Only the tests, never from the cache (the builds they need may be): one run of `npm run test:repeat`.
  'test:once': [
    ['exec', 'turbo', 'run', 'build', '--output-logs=errors-only'],
    ['exec', 'turbo', 'run', 'test', 'test:process', '--only', '--force', '--concurrency=2', ...extra],
  ],
  // What would be published: each package's type declarations, `publint` and `attw` on its
  // packed tarball (`check:package`), then the tarballs installed with npm into fresh apps (Node
  // 20 and 22, Express 4 and 5, AI SDK 6 and 7), running every README example against the devnet.
  'test:tarballs': [
    ['exec', 'turbo', 'run', 'check:package', '--filter=./packages/*', '--output-logs=errors-only'],
    ['--filter', '@tollgate/examples', 'run', 'test:tarballs', ...extra],
  ],
  // The end-to-end demo on a local devnet.
  demo: [
    ['exec', 'turbo', 'run', 'build', '--filter=@tollgate/demo-agent...', '--output-logs=errors-only'],
    ['--silent', '--filter', '@tollgate/demo-agent', 'run', 'demo', ...extra],
  ],
  // Benchmarks, printing ratios against a baseline measured in the same run.
  bench: [
    ['exec', 'turbo', 'run', 'build', '--filter=@tollgate/bench...', '--output-logs=errors-only'],
    ['--silent', '--filter', '@tollgate/bench', 'run', 'bench', ...extra],
  ],
}

if (!(task in tasks)) {
  process.stderr.write(`usage: node scripts/run.mjs <${Object.keys(tasks).join('|')}> [args]\n`)
  process.exit(2)
}

const env = { ...process.env, TURBO_TELEMETRY_DISABLED: '1', DO_NOT_TRACK: '1' }

function findPnpm() {
  const probe = spawnSync('pnpm', ['--version'], { encoding: 'utf8', env })
  if (probe.status === 0 && probe.stdout.trim() === pnpmVersion) return ['pnpm']
  // npx fetches the pinned pnpm from the npm registry once and caches it.
  return ['npx', '--yes', `pnpm@${pnpmVersion}`]
}

// Preparation (install, build) reports on stderr, so a task's stdout holds only its own output.
function run(command, args, { quiet = false } = {}) {
  const stdio = quiet ? ['inherit', process.stderr, 'inherit'] : 'inherit'
  const result = spawnSync(command[0], [...command.slice(1), ...args], { cwd: root, stdio, env })
  if (result.error) {
    process.stderr.write(`${command[0]}: ${result.error.message}\n`)
    process.exit(1)
  }
  if (result.status !== 0) process.exit(result.status ?? 1)
}

function needsInstall() {
  const marker = join(root, 'node_modules', '.modules.yaml')
  if (!existsSync(marker)) return true
  return statSync(join(root, 'pnpm-lock.yaml')).mtimeMs > statSync(marker).mtimeMs
}

// Node 22 for `test:node22`, found or fetched once here rather than by every package's task.
if (task === 'test' && !env.TOLLGATE_NODE22) {
  try {
    env.TOLLGATE_NODE22 = node22()
  } catch (error) {
    process.stderr.write(`${error.message}\n`)
    process.exit(1)
  }
}

const pnpm = findPnpm()
if (needsInstall()) {
  process.stderr.write(`Installing the workspace with pnpm ${pnpmVersion}…\n`)
  run(pnpm, ['install', '--frozen-lockfile'], { quiet: true })
}
const steps = tasks[task]
for (const [index, args] of steps.entries()) {
  run(pnpm, args, { quiet: !task.startsWith('test') && index < steps.length - 1 })
}
