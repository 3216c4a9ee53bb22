import { type ChildProcess, execFile, spawn } from 'node:child_process'
import { once } from 'node:events'
import { createServer } from 'node:net'
import { resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { compileScript } from '@tollgate/test-support'

/** The examples package's directory. */
export const examplesDir = fileURLToPath(new URL('..', import.meta.url))
/**
 * Node's arguments that run an example (`src/….ts`, relative to the examples package, or a path): the example
 * compiled once by `compileScript`, which starts in half the CPU of `node --import tsx`.
 */
export async function nodeArgsOf(file: string): Promise<string[]> {
  return ['--enable-source-maps', await compileScript(resolve(examplesDir, file), examplesDir)]
}

/** Runs an example to its end; resolves with its output, rejects with it when it fails. */
export async function runExample(
  file: string,
  env: Record<string, string>,
): Promise<{ stdout: string; stderr: string }> {
  const args = await nodeArgsOf(file)
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      args,
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
  const child = spawn(process.execPath, await nodeArgsOf(file), {
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
