#!/usr/bin/env node
// `npm run test:repeat -- [runs] [directory]`: runs every test (unit, integration and process,
// never from turbo's cache) `runs` times, default 10, one after the other, and reports each run as
// passed or failed. A flaky test shows up as a run that fails among runs that pass. Each run's
// full log is kept in `directory` (default `test-repeat-logs/`); what a failed run names as failed
// is printed under its line. Exits 1 if any run failed.
import { spawn } from 'node:child_process'
import { createWriteStream, mkdirSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')
const runs = Number(process.argv[2] ?? 10)
if (!Number.isInteger(runs) || runs < 1) {
  process.stderr.write('usage: npm run test:repeat -- [runs (default 10)] [log directory]\n')
  process.exit(2)
}
const directory = process.argv[3] ?? join(root, 'test-repeat-logs')
mkdirSync(directory, { recursive: true })

/** One run of every test; resolves with its exit code and log path. */
function runOnce(index) {
  const logPath = join(directory, `run-${String(index).padStart(2, '0')}.log`)
  const log = createWriteStream(logPath)
  const child = spawn(process.execPath, [join(root, 'scripts', 'run.mjs'), 'test:once'], {
    cwd: root,
    env: { ...process.env, NO_COLOR: '1', FORCE_COLOR: '0' },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let text = ''
  const keep = (chunk) => {
    log.write(chunk)
    text += chunk.toString()
  }
  child.stdout.on('data', keep)
  child.stderr.on('data', keep)
  return new Promise((resolve) => {
    child.on('close', (code, signal) => log.end(() => resolve({ code: code ?? 1, signal, logPath, text })))
  })
}

/** The lines of a failed run's log that name what failed. */
function failures(text) {
  const lines = text.split('\n')
  const named = lines.filter((line) => /\bFAIL\b|×|Failed:|ERR_PNPM|Unhandled|Serialized Error/.test(line))
  return [...new Set(named.map((line) => line.trim()))].slice(0, 20)
}

const results = []
for (let index = 1; index <= runs; index++) {
  const started = Date.now()
  const { code, signal, logPath, text } = await runOnce(index)
  const seconds = ((Date.now() - started) / 1000).toFixed(0)
  const passed = code === 0
  results.push(passed)
  process.stdout.write(
    `run ${index}/${runs}: ${passed ? 'passed' : `FAILED (exit ${signal ?? code})`} in ${seconds} s, log ${logPath}\n`,
  )
  if (!passed) for (const line of failures(text)) process.stdout.write(`  ${line}\n`)
}
const passedRuns = results.filter(Boolean).length
process.stdout.write(`${passedRuns} of ${runs} runs passed\n`)
process.exit(passedRuns === runs ? 0 : 1)
