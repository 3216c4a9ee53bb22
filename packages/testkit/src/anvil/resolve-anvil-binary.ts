import { existsSync } from 'node:fs'
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'

// The platform packages `@foundry-rs/anvil` lists as optional dependencies, by `${platform}-${arch}`.
const platformPackages: Readonly<Record<string, string>> = {
  'darwin-arm64': '@foundry-rs/anvil-darwin-arm64',
  'darwin-x64': '@foundry-rs/anvil-darwin-amd64',
  'linux-arm64': '@foundry-rs/anvil-linux-arm64',
  'linux-x64': '@foundry-rs/anvil-linux-amd64',
  'win32-x64': '@foundry-rs/anvil-win32-amd64',
}

/**
 * Finds the anvil executable shipped by the npm package `@foundry-rs/anvil`: its platform
 * package's `bin/anvil`, or the binary its install script put beside it. Never downloads.
 * `TOLLGATE_ANVIL_BINARY` overrides the lookup.
 * @internal
 * @example resolveAnvilBinary() // '/…/node_modules/@foundry-rs/anvil-linux-amd64/bin/anvil'
 * @throws {Error} when no binary for this platform is installed.
 */
export function resolveAnvilBinary(): string {
  const override = process.env.TOLLGATE_ANVIL_BINARY
  if (override) return override
  const executable = process.platform === 'win32' ? 'anvil.exe' : 'anvil'
  const platform = `${process.platform}-${process.arch}`
  const metaPackageJson = createRequire(import.meta.url).resolve('@foundry-rs/anvil/package.json')
  const platformPackage = platformPackages[platform]
  if (platformPackage) {
    // pnpm installs the platform package as a dependency of the meta package, not of ours.
    try {
      const packageJson = createRequire(metaPackageJson).resolve(`${platformPackage}/package.json`)
      const binary = join(dirname(packageJson), 'bin', executable)
      if (existsSync(binary)) return binary
    } catch {}
  }
  // Where the meta package's postinstall writes the binary when its optional dependency was skipped.
  const fallback = join(dirname(metaPackageJson), executable)
  if (existsSync(fallback)) return fallback
  throw new Error(
    `No anvil binary for ${platform}: install ${platformPackage ?? '@foundry-rs/anvil'} with optional dependencies enabled, or set TOLLGATE_ANVIL_BINARY.`,
  )
}
