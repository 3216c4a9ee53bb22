import { type ChildProcess, execFile, spawn } from 'node:child_process'
import { once } from 'node:events'
import { createServer } from 'node:net'
import { fileURLToPath } from 'node:url'

/** The examples package's directory. */
export const examplesDir = fileURLToPath(new URL('..', import.meta.url))
/**
 * Node's arguments that run a TypeScript file: tsx as a loader in this process, not tsx's command
 * line, which would start a second Node process to run it.
 */
export const TSX = ['--import', 'tsx'] as const

/** Runs an example to its end with tsx; resolves with its output, rejects with it when it fails. */
export function runExample(
  file: string,
  env: Record<string, string>,
): Promise<{ stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      [...TSX, file],
      { cwd: examplesDir, env: { ...process.env, ...env }, timeout: 90_000 },
      (error, stdout, stderr) => {
        if (error) reject(new Error(`${file} failed: ${error.message}\n${stdout}\n${stderr}`))
        else resolve({ stdout, stderr })
      },
    )
  })
}

/** Starts a long-running example (a server) and resolves once it printed `ready` on stdout. */
export async function startExample(
  file: string,
  env: Record<string, string>,
  ready: RegExp,
): Promise<{ child: ChildProcess; stop(): Promise<void> }> {
  const child = spawn(process.execPath, [...TSX, file], {
    cwd: examplesDir,
    env: { ...process.env, ...env },
    stdio: 'pipe',
  })
  let output = ''
  await new Promise<void>((resolve, reject) => {
    child.stdout.on('data', (chunk: Buffer) => {
      output += chunk
      if (ready.test(output)) resolve()
    })
    child.stderr.on('data', (chunk: Buffer) => {
      output += chunk
    })
    child.once('exit', (code) =>
      reject(new Error(`${file} exited with ${code} before it was ready:\n${output}`)),
    )
  })
  return {
    child,
    stop: async () => {
      if (child.exitCode !== null) return
      child.kill('SIGTERM')
      await once(child, 'exit')
    },
  }
}

/** A free TCP port on 127.0.0.1. */
export async function freePort(): Promise<number> {
  const server = createServer().listen(0, '127.0.0.1')
  await once(server, 'listening')
  const { port } = server.address() as { port: number }
  server.close()
  return port
}
