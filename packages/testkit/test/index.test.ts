import { readFileSync } from 'node:fs'
import { describe, expect, test } from 'vitest'
import * as testkit from '../src/index.js'

describe('@tollgate/testkit', () => {
  test('default: the public API', () => {
    expect(Object.keys(testkit).sort()).toMatchInlineSnapshot(`
      [
        "connectDevnet",
        "startAnvil",
        "startDevnet",
        "testSmartWalletAbi",
        "testSmartWalletBytecode",
        "testUsdcAbi",
        "testUsdcBytecode",
      ]
    `)
  })

  test('behavior: does not depend on @tollgate/core (core tests use the testkit)', () => {
    const packageJson = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'))
    const dependencies = Object.keys({ ...packageJson.dependencies, ...packageJson.peerDependencies })
    expect(dependencies.filter((name) => name.startsWith('@tollgate/'))).toEqual([])
  })
})
