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
  /** The name of the check of the real output this block shows, from `<!-- output: … -->` above, if any. */
  output: string | undefined
}

const CODE = new Set(['ts', 'tsx', 'typescript', 'js', 'mjs', 'javascript'])
const MARKER = /^<!-- example: (\S+) -->$/
const OUTPUT_MARKER = /^<!-- output: (\S+) -->$/

/** Whether a block holds code a reader would run, so it must come from an example file. */
export const isCode = (block: ReadmeBlock) => CODE.has(block.language)

/** Whether a block shows what a program prints or sends: JSON, or any block marked `<!-- output: … -->`. */
export const isOutput = (block: ReadmeBlock) =>
  block.output !== undefined || block.language === 'json' || block.language === 'jsonc'

/** In a parsed sample, a value the README elides (`{ … }`, `{ "...": "…" }`): any object matches. */
export const ANY_OBJECT = '…any object'

/**
 * Parses a README's JSON sample into a value for {@link shapeProblems}: `//` comments (jsonc) are
 * dropped, `{ … }` and `{ "...": "…" }` stand for any object, and `, …]` ends an array.
 */
export function parseSample(text: string): unknown {
  const json = text
    .replace(/(^|\s)\/\/.*$/gm, '$1')
    .replace(/\{ … \}/g, JSON.stringify(ANY_OBJECT))
    .replace(/,\s*…\s*\]/g, ']')
  return JSON.parse(json, (_key, value: unknown) =>
    value !== null &&
    typeof value === 'object' &&
    !Array.isArray(value) &&
    Object.keys(value).join() === '...'
      ? ANY_OBJECT
      : value,
  )
}

/**
 * Where `actual` (a program's real output) differs in shape from `sample` (a README's): the same
 * keys at every level, the same types, and every element of an array shaped like the sample's first.
 */
export function shapeProblems(sample: unknown, actual: unknown, path = '$'): string[] {
  if (sample === ANY_OBJECT)
    return isRecord(actual)
      ? []
      : [`${path}: the README shows an object, the output has ${JSON.stringify(actual)}`]
  if (Array.isArray(sample)) {
    if (!Array.isArray(actual)) return [`${path}: the README shows an array, the output has ${typeof actual}`]
    const [first] = sample
    return first === undefined
      ? []
      : actual.flatMap((item, index) => shapeProblems(first, item, `${path}[${index}]`))
  }
  if (isRecord(sample)) {
    if (!isRecord(actual)) return [`${path}: the README shows an object, the output has ${typeof actual}`]
    const keys = new Set([...Object.keys(sample), ...Object.keys(actual)])
    return [...keys].flatMap((key) => {
      if (!(key in actual)) return [`${path}.${key}: in the README, not in the output`]
      if (!(key in sample)) return [`${path}.${key}: in the output, not in the README`]
      return shapeProblems(sample[key], actual[key], `${path}.${key}`)
    })
  }
  const [want, got] = [sample === null ? 'null' : typeof sample, actual === null ? 'null' : typeof actual]
  return want === got ? [] : [`${path}: the README shows ${want}, the output has ${got}`]
}

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value)

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
      output: OUTPUT_MARKER.exec((lines[above] ?? '').trim())?.[1],
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
