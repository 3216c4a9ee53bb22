import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { describe, expect, test } from 'vitest'
import {
  exampleText,
  importedPackages,
  installedPackages,
  isCode,
  listReadmes,
  readBlocks,
  repositoryRoot,
} from '../scripts/readme-blocks.js'
import { commandProblems } from '../scripts/shell-commands.js'

const readmes = listReadmes()

/**
 * What the README of a private workspace folder (a demo app, a test suite) can import without an
 * install line: the folder's own package and its dependencies, which `pnpm install` at the root
 * installs. A published package's README has only its install lines.
 */
function workspacePackages(readme: string): string[] {
  const manifest = join(repositoryRoot, dirname(readme), 'package.json')
  if (!existsSync(manifest)) return []
  const {
    name,
    private: isPrivate,
    dependencies = {},
    devDependencies = {},
  } = JSON.parse(readFileSync(manifest, 'utf8')) as {
    name: string
    private?: boolean
    dependencies?: object
    devDependencies?: object
  }
  return isPrivate === true ? [name, ...Object.keys(dependencies), ...Object.keys(devDependencies)] : []
}

describe('README code blocks', () => {
  test('default: every code block of every README is an example file (or a region of one), verbatim', () => {
    const problems: string[] = []
    for (const readme of readmes) {
      for (const block of readBlocks(readme).filter(isCode)) {
        const where = `${readme}:${block.line}`
        if (block.example === undefined) problems.push(`${where}: no <!-- example: examples/… --> line above`)
        else if (!block.example.startsWith('examples/'))
          problems.push(`${where}: ${block.example} is not under examples/`)
        else if (exampleText(block.example) !== block.content)
          problems.push(
            `${where}: differs from ${block.example} (run pnpm --filter @tollgate/examples sync-readmes)`,
          )
      }
    }
    expect(problems).toEqual([])
  })

  test('behavior: every install line names every package its README examples import', () => {
    const problems: string[] = []
    for (const readme of readmes) {
      const blocks = readBlocks(readme)
      const installed = new Set([
        ...blocks
          .filter((block) => block.language === 'sh')
          .flatMap((block) => installedPackages(block.content)),
        ...workspacePackages(readme),
      ])
      const imported = new Set(
        blocks
          .filter(isCode)
          .flatMap((block) => importedPackages(exampleText(block.example!.split('#')[0]!))),
      )
      const missing = [...imported].filter((name) => !installed.has(name))
      if (missing.length > 0) problems.push(`${readme}: the install line lacks ${missing.join(', ')}`)
    }
    expect(problems).toEqual([])
  })

  test('behavior: every example file is shown in some README', () => {
    const shown = new Set(
      readmes.flatMap((readme) =>
        readBlocks(readme).flatMap((block) => (block.example ? [block.example.split('#')[0]] : [])),
      ),
    )
    const files = (readdirSync(join(repositoryRoot, 'examples/src'), { recursive: true }) as string[])
      .filter((name) => name.endsWith('.ts'))
      .map((name) => `examples/src/${name}`)
    expect(files.filter((file) => !shown.has(file))).toEqual([])
  })

  test('error: a README that drifts from its example is caught', () => {
    const readme = 'README.md'
    const text = readFileSync(join(repositoryRoot, readme), 'utf8')
    const [block] = readBlocks(readme, text).filter(isCode)
    expect(block?.example).toBeDefined()
    const drifted = text.replace(block!.content, `${block!.content}\nconsole.log('drift')`)
    const [changed] = readBlocks(readme, drifted).filter(isCode)
    expect(exampleText(changed!.example!)).not.toBe(changed!.content)
  })

  test('behavior: imports and install lines are parsed as npm would read them', () => {
    expect(
      importedPackages(
        `import { a } from '@tollgate/core/evm'\nimport b from 'viem/accounts'\nimport 'node:fs'\nimport x from './x.js'`,
      ),
    ).toEqual(['@tollgate/core', 'viem'])
    expect(installedPackages('npm i @tollgate/express express@^4.21 zod # comment')).toEqual([
      '@tollgate/express',
      'express',
      'zod',
    ])
  })

  test('behavior: every shell command of every README names a script, package or binary that exists', () => {
    const problems = readmes.flatMap((readme) =>
      readBlocks(readme)
        .filter((block) => block.language === 'sh')
        .flatMap((block) =>
          commandProblems(block.content).map((problem) => `${readme}:${block.line}: ${problem}`),
        ),
    )
    expect(problems).toEqual([])
  })

  test('error: a command naming a missing script, package or binary is caught', () => {
    expect(
      commandProblems(
        [
          'npm run nope',
          'pnpm --filter @tollgate/core tset',
          'pnpm turbo run build --filter @tollgate/nope...',
          'npx -p @tollgate/testkit tollgate-nope',
          'npm i @tollgate/demo-api',
        ].join('\n'),
      ),
    ).toEqual([
      'npm run nope: the root package.json has no script nope',
      'pnpm --filter @tollgate/core tset: @tollgate/core has no script tset',
      'pnpm turbo run build --filter @tollgate/nope...: no workspace package @tollgate/nope',
      'npx -p @tollgate/testkit tollgate-nope: @tollgate/testkit has no binary tollgate-nope',
      'npm i @tollgate/demo-api: @tollgate/demo-api is not published',
    ])
  })
})
