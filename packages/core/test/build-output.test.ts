import { existsSync, readFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { describe, expect, test } from 'vitest'

const dist = join(dirname(fileURLToPath(import.meta.url)), '..', 'dist')

/** Every module specifier a built file imports, following relative imports transitively. */
function importsOf(entry: string): Set<string> {
  const seen = new Set<string>()
  const external = new Set<string>()
  const visit = (file: string) => {
    if (seen.has(file)) return
    seen.add(file)
    const source = readFileSync(file, 'utf8')
    const specifiers = [
      ...source.matchAll(/(?:import|export)\s[^'"]*?from\s*['"]([^'"]+)['"]/g),
      ...source.matchAll(/import\(\s*['"]([^'"]+)['"]\s*\)/g),
      ...source.matchAll(/require\(\s*['"]([^'"]+)['"]\s*\)/g),
      ...source.matchAll(/^import\s*['"]([^'"]+)['"]/gm),
    ].map((match) => match[1] as string)
    for (const specifier of specifiers) {
      if (specifier.startsWith('.')) visit(join(dirname(file), specifier))
      else external.add(specifier)
    }
  }
  visit(join(dist, entry))
  return external
}

describe.runIf(existsSync(join(dist, 'index.js')))('built output', () => {
  test.each([['index.js'], ['index.cjs']])(
    'behavior: the root entry %s imports neither viem nor any node: module',
    (entry) => {
      // `zod/v3` is a subpath of the same zod 4 package: tool definitions may be zod 3 shapes.
      const imports = [...importsOf(entry)].sort()
      expect(imports).toEqual(['zod', 'zod/v3'])
    },
  )

  test('behavior: the evm entry is where viem comes in', () => {
    // @noble/curves (the same version viem uses) checks payers' signatures against their kept keys.
    expect([...importsOf('evm.js')].sort()).toEqual([
      '@noble/curves/abstract/modular',
      '@noble/curves/secp256k1',
      'viem',
      'viem/accounts',
      'zod',
    ])
  })
})
