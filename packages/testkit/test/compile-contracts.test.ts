import { spawnSync } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { describe, expect, test } from 'vitest'

describe('scripts/compile-contracts.mjs', () => {
  test('behavior: the committed ABI and bytecode equal a fresh compile of contracts/', () => {
    const script = fileURLToPath(new URL('../scripts/compile-contracts.mjs', import.meta.url))
    const result = spawnSync(process.execPath, [script, '--check'], { encoding: 'utf8' })
    expect(result.stderr).toBe('')
    expect(result.status).toBe(0)
  })
})
