/**
 * Prints where a `.cpuprofile` spent its time: `node --import tsx src/summarize-profile-main.ts
 * profiles/<file>.cpuprofile [top]`. Self time per function (with file:line), then per file.
 * Line numbers are 1-based; frames in built packages are mapped back to their TypeScript source
 * through the `.js.map` beside the bundle, so `dist/chunk-….js` shows as `src/…/file.ts:line`.
 */
import { existsSync, readFileSync } from 'node:fs'
import { SourceMap } from 'node:module'
import { fileURLToPath } from 'node:url'

type ProfileNode = {
  id: number
  callFrame: { functionName: string; url: string; lineNumber: number; columnNumber: number }
  children?: number[]
}
type Profile = { nodes: ProfileNode[]; samples: number[]; timeDeltas: number[] }

const sourceMaps = new Map<string, SourceMap | undefined>()
const [path, topText] = process.argv.slice(2)
if (path === undefined) throw new Error('usage: summarize-profile-main.ts <file.cpuprofile> [top]')
const top = Number(topText ?? 30)
const profile = JSON.parse(readFileSync(path, 'utf8')) as Profile
const byId = new Map(profile.nodes.map((node) => [node.id, node]))
const selfMicros = new Map<number, number>()
profile.samples.forEach((id, index) => {
  selfMicros.set(id, (selfMicros.get(id) ?? 0) + (profile.timeDeltas[index] ?? 0))
})
const total = [...selfMicros.values()].reduce((sum, value) => sum + value, 0)

const byFunction = new Map<string, number>()
const byFile = new Map<string, number>()
for (const [id, micros] of selfMicros) {
  const frame = byId.get(id)!.callFrame
  const [url, line] = mapToSource(frame.url, frame.lineNumber, frame.columnNumber)
  const file = shorten(url) || `(${frame.functionName || 'native'})`
  const where = url ? `${file}:${line + 1}` : file
  const name = `${frame.functionName || '(anonymous)'}  ${where}`
  byFunction.set(name, (byFunction.get(name) ?? 0) + micros)
  byFile.set(file, (byFile.get(file) ?? 0) + micros)
}

const print = (title: string, entries: Map<string, number>): void => {
  console.log(`\n${title} (of ${(total / 1000).toFixed(0)} ms sampled)`)
  for (const [name, micros] of [...entries].sort((left, right) => right[1] - left[1]).slice(0, top)) {
    console.log(
      `${((micros / total) * 100).toFixed(1).padStart(5)}%  ${(micros / 1000).toFixed(0).padStart(6)} ms  ${name}`,
    )
  }
}
// Inclusive time of the repository's own functions (a recursive frame counts once).
const inclusive = new Map<string, number>()
const childIds = new Set(profile.nodes.flatMap((node) => node.children ?? []))
const walk = (id: number, open: Set<string>): number => {
  const node = byId.get(id)!
  const [url, line] = mapToSource(node.callFrame.url, node.callFrame.lineNumber, node.callFrame.columnNumber)
  const own = url.includes('/packages/') && !url.includes('/node_modules/')
  const name = `${node.callFrame.functionName || '(anonymous)'}  ${shorten(url)}:${line + 1}`
  const counted = own && !open.has(name)
  if (counted) open.add(name)
  let micros = selfMicros.get(id) ?? 0
  for (const child of node.children ?? []) micros += walk(child, open)
  if (counted) {
    open.delete(name)
    inclusive.set(name, (inclusive.get(name) ?? 0) + micros)
  }
  return micros
}
for (const node of profile.nodes) if (!childIds.has(node.id)) walk(node.id, new Set())

print('Self time by function', byFunction)
print('Self time by file', byFile)
print('Total time (with callees) of functions in packages/', inclusive)

function shorten(url: string): string {
  const path = url.replace(/^file:\/\//, '')
  const packages = path.lastIndexOf('/node_modules/')
  if (packages !== -1)
    return path.slice(packages + '/node_modules/'.length).replace(/^\.pnpm\/[^/]+\/node_modules\//, '')
  const repository = path.indexOf('/packages/')
  return repository !== -1 ? path.slice(repository + 1) : path
}

// Bundled code (tsup's dist/) is attributed to the source file and line its source map names.
function mapToSource(url: string, line: number, column: number): [string, number] {
  if (!url.startsWith('file://') || !url.includes('/dist/')) return [url, line]
  if (!sourceMaps.has(url)) {
    const mapPath = `${fileURLToPath(url)}.map`
    sourceMaps.set(
      url,
      existsSync(mapPath) ? new SourceMap(JSON.parse(readFileSync(mapPath, 'utf8'))) : undefined,
    )
  }
  const entry = sourceMaps.get(url)?.findEntry(line, column) as
    | { originalSource?: string; originalLine?: number }
    | undefined
  if (entry?.originalSource === undefined || entry.originalLine === undefined) return [url, line]
  const source = entry.originalSource.startsWith('file://')
    ? entry.originalSource
    : new URL(entry.originalSource, url).href
  return [source, entry.originalLine]
}
