import { createRequire } from 'node:module'
import { describe, expect, test } from 'vitest'

// Adding a name to an entry point is an API decision: this snapshot makes it visible in review.
describe('public API', () => {
  test('@tollgate/hono', async () => {
    expect(Object.keys(await import('../src/index.js')).sort()).toMatchInlineSnapshot(`
      [
        "paidHandler",
        "tollgate",
      ]
    `)
  })

  test('behavior: the ESM and CJS builds export the same names', async () => {
    const esm = Object.keys(await import(new URL('../dist/index.js', import.meta.url).href)).sort()
    const cjs = Object.keys(createRequire(import.meta.url)('../dist/index.cjs')).sort()
    expect(cjs).toEqual(esm)
    expect(esm).toEqual(Object.keys(await import('../src/index.js')).sort())
  })
})
