import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'

/** The repository root. */
export const repositoryRoot = fileURLToPath(new URL('../..', import.meta.url))

/** A fenced code block of a README. */
export type ReadmeBlock = {
  readme: string
  /** Info string after the fence, such as `ts` or `sh`. */
  language: string
  /** 1-based line of the opening fence. */
  line: number
  /** Index of the first content line and the closing fence, 0-based. */
  start: number
  end: number
  content: string
  /** `examples/src/x.ts` or `examples/src/x.ts#region` from the `<!-- example: … -->` line above, if any. */
  example: string | undefined
}

const CODE = new Set(['ts', 'tsx', 'typescript', 'js', 'mjs', 'javascript'])
const MARKER = /^<!-- example: (\S+) -->$/

/** Whether a block holds code a reader would run, so it must come from an example file. */
export const isCode = (block: ReadmeBlock) => CODE.has(block.language)

/** The folders of which every subfolder's README a user reads: published packages, demo apps, test suites. */
const README_FOLDERS = ['packages', 'apps', 'tests']

/**
 * Every README and document a user reads, whose code blocks are examples: the root README, each
 * package, app and test suite's README, `bench/README.md`, `examples/README.md` and `docs/*.md`.
 */
export function listReadmes(): string[] {
  const nested = README_FOLDERS.flatMap((folder) =>
    readdirSync(join(repositoryRoot, folder))
      .map((name) => `${folder}/${name}/README.md`)
      .filter((path) => existsSync(join(repositoryRoot, path)))
      .sort(),
  )
  const docs = readdirSync(join(repositoryRoot, 'docs'))
    .filter((name) => name.endsWith('.md'))
    .sort()
    .map((name) => `docs/${name}`)
  return ['README.md', ...nested, 'bench/README.md', 'examples/README.md', ...docs]
}

/** The fenced code blocks of a README. */
export function readBlocks(
  readme: string,
  text = readFileSync(join(repositoryRoot, readme), 'utf8'),
): ReadmeBlock[] {
  const lines = text.split('\n')
  const blocks: ReadmeBlock[] = []
  for (let index = 0; index < lines.length; index++) {
    const open = /^```(\S*)/.exec(lines[index] as string)
    if (!open) continue
    const close = lines.findIndex((line, at) => at > index && line === '```')
    if (close === -1) throw new Error(`${readme}:${index + 1}: unclosed code block`)
    let above = index - 1
    while (above >= 0 && (lines[above] as string).trim() === '') above--
    blocks.push({
      readme,
      language: open[1] as string,
      line: index + 1,
      start: index + 1,
      end: close,
      content: lines.slice(index + 1, close).join('\n'),
      example: MARKER.exec((lines[above] ?? '').trim())?.[1],
    })
    index = close
  }
  return blocks
}

/** The text an `<!-- example: path#region -->` marker stands for: the whole file, or one region of it. */
export function exampleText(example: string): string {
  const [path, region] = example.split('#') as [string, string | undefined]
  const text = readFileSync(join(repositoryRoot, path), 'utf8').replace(/\n+$/, '')
  if (region === undefined) return text.replace(/^ *\/\/ #(end)?region .*\n/gm, '')
  const lines = text.split('\n')
  const start = lines.findIndex((line) => line.trim() === `// #region ${region}`)
  const end = lines.findIndex((line) => line.trim() === `// #endregion ${region}`)
  if (start === -1 || end < start) throw new Error(`${path} has no region ${region}`)
  const body = lines.slice(start + 1, end)
  const indent = Math.min(...body.filter((line) => line.trim()).map((line) => /^ */.exec(line)![0].length))
  return body.map((line) => line.slice(indent)).join('\n')
}

/** The packages a piece of code imports (`viem/accounts` → `viem`), without `node:` built-ins and relative paths. */
export function importedPackages(code: string): string[] {
  const names = new Set<string>()
  for (const match of code.matchAll(/(?:^|\n)\s*(?:import|export)\b[^'"]*?from\s+['"]([^'"]+)['"]/g)) {
    const specifier = match[1] as string
    if (specifier.startsWith('.') || specifier.startsWith('node:') || specifier.startsWith('/')) continue
    const parts = specifier.split('/')
    names.add(specifier.startsWith('@') ? parts.slice(0, 2).join('/') : (parts[0] as string))
  }
  return [...names].sort()
}

/** The packages an install block names (`npm i a b`, `pnpm add a`), without versions. */
export function installedPackages(block: string): string[] {
  const names: string[] = []
  for (const line of block.split('\n')) {
    const match = /^\s*(?:npm (?:i|install)|pnpm add|yarn add)\s+(.*)$/.exec(line)
    if (!match) continue
    for (const word of (match[1] as string).split(/\s+/)) {
      if (word.startsWith('#')) break
      if (word === '' || word.startsWith('-')) continue
      names.push(word.replace(/(.)@[^/]*$/, '$1'))
    }
  }
  return names
}
