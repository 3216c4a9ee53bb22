import { spawn } from 'node:child_process'
import { createInterface } from 'node:readline'
import type { LedgerConformanceWorker } from '@tollgate/core/test'

/**
 * Starts `node <script> ...args` as a ledger worker process: its first stdout line is its result,
 * and `kill()` sends SIGKILL, so nothing in it gets to clean up.
 *
 * @example const worker = spawnLedgerWorker(script, [path, JSON.stringify(task)])
 */
export function spawnLedgerWorker(script: string, args: readonly string[]): LedgerConformanceWorker {
  const child = spawn(process.execPath, [script, ...args], { stdio: ['ignore', 'pipe', 'pipe'] })
  let stderr = ''
  child.stderr.on('data', (chunk: Buffer) => {
    stderr += chunk.toString('utf8')
  })
  const exited = new Promise<unknown>((resolve) =>
    child.once('exit', (code, signal) => resolve(code ?? signal)),
  )
  const firstLine = new Promise<string>((resolve, reject) => {
    const lines = createInterface({ input: child.stdout })
    lines.once('line', (line) => {
      lines.close()
      resolve(line)
    })
    void exited.then((status) =>
      reject(new Error(`The ledger worker exited (${String(status)}) before answering: ${stderr}`)),
    )
  })
  return {
    firstLine,
    exited,
    kill: () => {
      child.kill('SIGKILL')
    },
  }
}
