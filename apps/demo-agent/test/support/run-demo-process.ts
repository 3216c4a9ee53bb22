import { type ChildProcess, spawn } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { onTestFinished } from 'vitest'
import { isRunning, watchTree } from './process-tree.js'

/** The app's folder: where `pnpm run demo` runs its script. */
export const appDirectory = fileURLToPath(new URL('../..', import.meta.url))

/** What the `demo` script of package.json runs, with `node` as this very Node. */
export function demoCommand(): { command: string; args: string[] } {
  return { command: process.execPath, args: ['--import', 'tsx', 'src/demo.ts'] }
}

/**
 * Starts the demo as a child process, exactly as its `demo` script does, with the scripted models
 * (API keys removed, so a CI with keys stays offline and deterministic) and no colours. Watches
 * its process tree from the start, and kills what still runs of it when the test ends.
 */
export function startDemoProcess(options: { detached?: boolean } = {}) {
  const { command, args } = demoCommand()
  const environment: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: '1' }
  delete environment.OPENAI_API_KEY
  delete environment.ANTHROPIC_API_KEY
  const child: ChildProcess = spawn(command, args, {
    cwd: appDirectory,
    env: environment,
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: options.detached === true,
  })
  const tree = watchTree(child.pid as number)
  // A test that fails or times out leaves nothing running: a stray demo with its anvil, API and
  // MCP server would slow down every test after it.
  onTestFinished(() => {
    tree.stop()
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL')
    for (const seen of tree.seen()) {
      if (!isRunning(seen.pid, seen.startTime)) continue
      try {
        process.kill(seen.pid, 'SIGKILL')
      } catch {
        // It ended in the meantime.
      }
    }
  })
  let stdout = ''
  let stderr = ''
  child.stdout?.on('data', (chunk: Buffer) => (stdout += chunk.toString()))
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()))
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.once('exit', (code, signal) => resolve({ code, signal }))
  })
  // All output is read once the process has exited and its pipes are drained.
  const closed = new Promise<void>((resolve) => child.once('close', () => resolve()))
  return {
    child,
    tree,
    stdout: () => stdout,
    stderr: () => stderr,
    async finished() {
      const exit = await exited
      await closed
      tree.stop()
      return exit
    },
  }
}
