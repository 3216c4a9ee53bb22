import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { repositoryRoot } from './readme-blocks.js'

type Manifest = {
  name: string
  private?: boolean
  scripts?: Record<string, string>
  bin?: string | Record<string, string>
}

const readManifest = (folder: string) =>
  JSON.parse(readFileSync(join(repositoryRoot, folder, 'package.json'), 'utf8')) as Manifest

/** The workspace's packages by name, from the folders `pnpm-workspace.yaml` lists. */
function workspace(): Map<string, Manifest> {
  const folders = ['bench', 'examples']
  for (const parent of ['packages', 'apps', 'tests']) {
    for (const name of readdirSync(join(repositoryRoot, parent))) {
      if (existsSync(join(repositoryRoot, parent, name, 'package.json'))) folders.push(`${parent}/${name}`)
    }
  }
  return new Map(folders.map((folder) => [readManifest(folder).name, readManifest(folder)]))
}

/** The turbo tasks of the root `turbo.json`. */
const turboTasks = () =>
  new Set(
    Object.keys(
      (JSON.parse(readFileSync(join(repositoryRoot, 'turbo.json'), 'utf8')) as { tasks: object }).tasks,
    ),
  )

/** The logical lines of a shell block: continuations joined, comments and leading `VAR=value` words dropped. */
function commandLines(block: string): string[] {
  return block
    .replace(/\\\n/g, ' ')
    .split('\n')
    .map((line) => line.replace(/(^|\s)#.*$/, '').trim())
    .map((line) => line.replace(/^(?:[A-Z_][A-Z0-9_]*=\S*\s+)+/, ''))
    .filter((line) => line !== '')
}

/**
 * What a README's shell block names that does not exist: `npm run <script>` and `npm test` against
 * the root scripts; `pnpm [--silent] --filter <package> [run] <script>` against that package;
 * `pnpm turbo run <task> --filter <package>...` against turbo's tasks and the workspace;
 * `npx -p <package> <binary>` against the package's `bin`; `npm i @tollgate/<name>` against the
 * published packages. Other commands (curl, node, pnpm install) are not checked here.
 */
export function commandProblems(block: string): string[] {
  const packages = workspace()
  const root = readManifest('.')
  const problems: string[] = []
  for (const line of commandLines(block)) {
    const words = line.split(/\s+/)
    const problem = (text: string) => problems.push(`${line}: ${text}`)
    const npmRun = /^npm (?:run|run-script) (\S+)/.exec(line)
    if (npmRun && root.scripts?.[npmRun[1] as string] === undefined)
      problem(`the root package.json has no script ${npmRun[1]}`)
    const turbo = /^pnpm (?:exec )?turbo run (\S+)/.exec(line)
    if (turbo && !turboTasks().has(turbo[1] as string)) problem(`turbo.json has no task ${turbo[1]}`)
    const filterAt = words.indexOf('--filter')
    if (line.startsWith('pnpm ') && filterAt !== -1) {
      const name = (words[filterAt + 1] as string).replace(/\.\.\.$/, '')
      const manifest = packages.get(name)
      const rest = words.slice(filterAt + 2).filter((word) => word !== 'run')
      const script = rest[0]
      if (!manifest) problem(`no workspace package ${name}`)
      else if (
        !turbo &&
        script !== undefined &&
        script !== 'exec' &&
        manifest.scripts?.[script] === undefined
      )
        problem(`${name} has no script ${script}`)
    }
    const npx = /^npx (?:--yes )?-p (\S+) (\S+)/.exec(line)
    if (npx) {
      const [, name, binary] = npx as unknown as [string, string, string]
      const bin = packages.get(name)?.bin
      const binaries = typeof bin === 'string' ? [name.split('/').pop()] : Object.keys(bin ?? {})
      if (!binaries.includes(binary)) problem(`${name} has no binary ${binary}`)
    }
    const install = /^(?:npm (?:i|install)|pnpm add|yarn add)\s+(.*)$/.exec(line)
    for (const word of install ? (install[1] as string).split(/\s+/) : []) {
      const name = word.replace(/(.)@[^/]*$/, '$1')
      if (!name.startsWith('@tollgate/')) continue
      const manifest = packages.get(name)
      if (!manifest) problem(`no workspace package ${name}`)
      else if (manifest.private) problem(`${name} is not published`)
    }
  }
  return problems
}
