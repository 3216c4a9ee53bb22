#!/usr/bin/env node
// Runs a package's binary on Node 22, whatever Node runs this script:
//   node scripts/node22.mjs [NAME=value …] <binary> [args]     e.g. node ../../scripts/node22.mjs vitest run
// Node 22 is this Node when it is 22 or later, else `$TOLLGATE_NODE22` (a path, set by `npm test`
// once for every task), else the registry's `node@22` package through `npm exec` (fetched once into
// npm's cache, then offline). Node 22's folder goes first on the PATH, so processes the tests spawn
// with `node` run on it too. `--print` prints the binary's path instead of running anything.
import { execFileSync, spawn } from 'node:child_process'
import { existsSync, readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { delimiter, dirname, join } from 'node:path'
import { pathToFileURL } from 'node:url'

/** The path of a Node 22 (or later) binary. */
export function node22() {
  if (Number(process.versions.node.split('.')[0]) >= 22) return process.execPath
  const given = process.env.TOLLGATE_NODE22
  if (given && existsSync(given)) return given
  try {
    return execFileSync(
      'npm',
      [
        'exec',
        '--yes',
        '--prefer-offline',
        '--package=node@22',
        '--',
        'node',
        '-e',
        'console.log(process.execPath)',
      ],
      {
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'pipe'],
        env: { ...process.env, npm_config_update_notifier: 'false' },
      },
    ).trim()
  } catch (error) {
    throw new Error(
      `Could not fetch Node 22 (npm exec --package=node@22) from the npm registry:\n${error.stderr ?? error}`,
    )
  }
}

/** The JavaScript file of a package binary, as installed for the current folder. */
function binaryFile(name) {
  const require = createRequire(join(process.cwd(), 'package.json'))
  const manifestPath = require.resolve(`${name}/package.json`)
  const { bin } = JSON.parse(readFileSync(manifestPath, 'utf8'))
  const file = typeof bin === 'string' ? bin : bin?.[name]
  if (!file) throw new Error(`${name} has no binary named ${name}`)
  return join(dirname(manifestPath), file)
}

const isMain = process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href
if (isMain) {
  const args = process.argv.slice(2)
  let binary
  try {
    binary = node22()
  } catch (error) {
    process.stderr.write(`${error.message}\n`)
    process.exit(1)
  }
  if (args[0] === '--print') {
    process.stdout.write(`${binary}\n`)
    process.exit(0)
  }
  const env = {
    ...process.env,
    TOLLGATE_NODE22: binary,
    PATH: `${dirname(binary)}${delimiter}${process.env.PATH}`,
  }
  while (args[0] && /^[A-Z_][A-Z0-9_]*=/.test(args[0])) {
    const [name, ...value] = args.shift().split('=')
    env[name] = value.join('=')
  }
  const [command, ...rest] = args
  if (!command) {
    process.stderr.write('usage: node scripts/node22.mjs [NAME=value …] <binary> [args]\n')
    process.exit(2)
  }
  const child = spawn(binary, [binaryFile(command), ...rest], { stdio: 'inherit', env })
  for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => child.kill(signal))
  child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)))
}
