import { existsSync, readFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { describe, expect, test } from 'vitest'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')
const dist = join(root, 'dist')

/** Every bare module specifier a built file imports, following relative imports transitively. */
function importsOf(entry: string): string[] {
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
  return [...external].sort()
}

describe('@tollgate/core/solana', () => {
  test('default: the entry lists its exports explicitly', async () => {
    expect(Object.keys(await import('../src/solana/index.js')).sort()).toMatchInlineSnapshot(`
      [
        "createJsonRpc",
        "createSolanaSignerFromSeed",
        "createSolanaTxVerifier",
        "generateSolanaSigner",
        "solanaNetwork",
        "solanaWallet",
      ]
    `)
  })

  test('behavior: the root entry never reaches Solana code', () => {
    expect(readFileSync(join(root, 'src', 'index.ts'), 'utf8')).not.toMatch(/from '\.\/solana\//)
  })

  test.runIf(existsSync(join(dist, 'solana.js')))(
    'behavior: the built solana entry imports kit, the program clients and zod, never viem',
    () => {
      for (const entry of ['solana.js', 'solana.cjs']) {
        expect(importsOf(entry)).toEqual([
          '@solana-program/system',
          '@solana-program/token',
          '@solana/kit',
          'zod',
        ])
      }
    },
  )
})
