/**
 * `pnpm --filter @tollgate/bench run bench:listener`: what the Hono gate's pass ride costs in
 * JavaScript, without the kernel and the load generator the request/s rows share the machine with.
 * Bare Hono, `paidHandler` and the `tollgate()` middleware each run in a fresh process of their own
 * (so none shares the others' compiled code), in `BENCH_LISTENER_ROUNDS` alternating rounds, and
 * send requests through `@hono/node-server`'s request listener (see `listener-app-main.ts`). Prints
 * the median CPU microseconds per request of each, and what each gate form adds to bare Hono: the
 * median of the rounds' differences.
 */
import { execFileSync } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { inRoundOrder } from './run-timed-load.js'

const rounds = Number(process.env.BENCH_LISTENER_ROUNDS ?? 5)
const requests = Number(process.env.BENCH_LISTENER_REQUESTS ?? 100_000)
const forms = ['bare', 'route', 'middleware'] as const
const child = fileURLToPath(new URL('./listener-app-main.ts', import.meta.url))
const cwd = fileURLToPath(new URL('..', import.meta.url))

const measured = new Map<string, number[]>(forms.map((form) => [form, []]))
for (let round = 1; round <= rounds; round++) {
  process.stderr.write(`bench: listener round ${round} of ${rounds}\n`)
  for (const form of inRoundOrder(round, forms)) {
    const output = execFileSync(process.execPath, ['--import', 'tsx', child, form, String(requests), '5'], {
      cwd,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'inherit'],
    })
    const { perRequest } = JSON.parse(output.trim().split('\n').at(-1) as string) as { perRequest: number[] }
    // The process's best run: noise from elsewhere on the machine only ever adds time.
    measured.get(form)?.push(Math.min(...perRequest))
  }
}

const median = (values: number[]) => {
  const sorted = [...values].sort((left, right) => left - right)
  const middle = Math.floor(sorted.length / 2)
  return sorted.length % 2 === 1
    ? (sorted[middle] as number)
    : ((sorted[middle - 1] as number) + (sorted[middle] as number)) / 2
}
const bareRuns = measured.get('bare') as number[]
const lines = [
  `Hono on @hono/node-server's request listener, no sockets: CPU us per request, median of ${rounds} processes each (best of 5 runs of ${requests})`,
]
for (const form of forms) {
  const runs = measured.get(form) as number[]
  // What a form adds is the median of its rounds' differences: each round ran the forms back to back.
  const added = median(runs.map((value, round) => value - (bareRuns[round] as number)))
  const over =
    form === 'bare' ? '' : `   adds ${added.toFixed(2)} us to bare Hono (median of the rounds' differences)`
  lines.push(
    `${form.padEnd(11)} ${median(runs).toFixed(2)}${over}   (${runs.map((v) => v.toFixed(2)).join(', ')})`,
  )
}
console.log(lines.join('\n'))
