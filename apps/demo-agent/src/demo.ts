/**
 * @module @tollgate/demo-agent/demo
 * The end-to-end demo (`npm run demo` at the repository root, or `pnpm --filter
 * @tollgate/demo-agent demo`): a local devnet, the demo API, two agents and an MCP session that
 * pay it. The report goes to stdout; diagnostics to stderr. Exits 0 on success, 1 on failure, and
 * 130 (143) on SIGINT (SIGTERM), in every case after stopping anvil, the API and the MCP server.
 * `--scripted` keeps the scripted models even when an API key is set.
 */
import { createCleanup } from './create-cleanup.js'
import { runDemo } from './run-demo.js'

const log = (message: string) => process.stderr.write(`demo: ${message}\n`)
const cleanup = createCleanup({
  onError: (error) => log(`while stopping: ${error instanceof Error ? error.message : String(error)}`),
})
const controller = new AbortController()
let stopping = false

function stop(signal: NodeJS.Signals): void {
  const code = signal === 'SIGINT' ? 130 : 143
  // A second Ctrl-C does not wait: exit hooks still kill anvil and the MCP server.
  if (stopping) process.exit(code)
  stopping = true
  log(
    `${signal === 'SIGINT' ? 'interrupted' : 'terminated'}: stopping the MCP server, the demo API and anvil…`,
  )
  controller.abort(new Error(`stopped by ${signal}`))
  void cleanup.run().finally(() => process.exit(code))
}
process.on('SIGINT', stop)
process.on('SIGTERM', stop)
// An abandoned promise of an aborted agent run must not crash the shutdown.
process.on('unhandledRejection', (reason) => {
  if (stopping) return
  log(`failed: ${reason instanceof Error ? reason.message : String(reason)}`)
  void cleanup.run().finally(() => process.exit(1))
})

const color =
  process.stdout.isTTY === true && process.env.NO_COLOR === undefined && process.env.TERM !== 'dumb'
try {
  await runDemo({
    write: (text) => process.stdout.write(text),
    color,
    scripted: process.argv.includes('--scripted'),
    cleanup,
    signal: controller.signal,
  })
  process.exit(0)
} catch (error) {
  if (!stopping) {
    log(error instanceof Error ? error.message : String(error))
    await cleanup.run()
    process.exit(1)
  }
}
