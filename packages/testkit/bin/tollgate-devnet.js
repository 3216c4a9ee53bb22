#!/usr/bin/env node
// The `tollgate-devnet` command. This file is committed (not built) so a package manager can link
// the command on a fresh install, before `dist/` exists; the CLI itself is loaded only when run.
import('../dist/cli.js').catch((error) => {
  process.stderr.write(`tollgate-devnet: ${error instanceof Error ? error.message : String(error)}\n`)
  process.exit(1)
})
