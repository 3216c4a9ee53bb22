import { createRequire } from 'node:module'
import { describe, expect, test } from 'vitest'

// Adding a name to an entry point is an API decision: this snapshot makes it visible in review.
describe('public API', () => {
  test('@tollgate/prometheus', async () => {
    expect(Object.keys(await import('../src/index.js')).sort()).toMatchInlineSnapshot(`
      [
        "composeHooks",
        "createGateMetrics",
      ]
    `)
  })

  test('behavior: the ESM and CJS builds export the same names', async () => {
    // Through a URL, so type-checking does not need a build.
    const esm = Object.keys(await import(new URL('../dist/index.js', import.meta.url).href)).sort()
    const cjs = Object.keys(createRequire(import.meta.url)('../dist/index.cjs')).sort()
    expect(cjs).toEqual(esm)
    expect(esm).toEqual(Object.keys(await import('../src/index.js')).sort())
  })

  test('behavior: the builds load prom-client from the peer, not a bundled copy', async () => {
    const { readFile } = await import('node:fs/promises')
    for (const file of ['../dist/index.js', '../dist/index.cjs']) {
      const source = await readFile(new URL(file, import.meta.url), 'utf8')
      expect(source).toMatch(/from ['"]prom-client['"]|require\(['"]prom-client['"]\)/)
      expect(source).not.toContain('class Registry')
    }
  })
})
