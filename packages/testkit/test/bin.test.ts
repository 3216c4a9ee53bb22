import { execFile } from 'node:child_process'
import { existsSync, readFileSync, statSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import { describe, expect, test } from 'vitest'

const packageDir = fileURLToPath(new URL('..', import.meta.url))
const manifest = JSON.parse(readFileSync(`${packageDir}/package.json`, 'utf8')) as {
  bin: Record<string, string>
  files: string[]
}

describe('the tollgate-devnet command', () => {
  test('default: the bin target is a committed, executable file, so a fresh install links it without a warning', () => {
    const target = manifest.bin['tollgate-devnet'] as string
    expect(target.startsWith('./dist/')).toBe(false)
    const path = `${packageDir}/${target}`
    expect(existsSync(path)).toBe(true)
    expect(statSync(path).mode & 0o111).not.toBe(0)
    expect(readFileSync(path, 'utf8')).toMatch(/^#!\/usr\/bin\/env node\n/)
    expect(manifest.files).toContain(target.replace('./', '').split('/')[0])
  })

  test('behavior: the shim runs the built CLI', async () => {
    const { stdout } = await promisify(execFile)(process.execPath, [
      `${packageDir}/bin/tollgate-devnet.js`,
      '--help',
    ])
    expect(stdout).toMatch(/^Usage: tollgate-devnet/)
  })
})
