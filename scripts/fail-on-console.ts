import { afterEach } from 'vitest'

// A test that writes to the console is a test whose noise hides real failures: fail it.
const methods = ['log', 'info', 'warn', 'error', 'debug', 'trace'] as const
const calls: string[] = []
for (const method of methods) {
  console[method] = (...args: unknown[]) => {
    calls.push(`console.${method}(${args.map(String).join(' ').slice(0, 200)})`)
  }
}
afterEach(() => {
  if (calls.length === 0) return
  const seen = calls.splice(0)
  throw new Error(`test wrote to the console:\n${seen.join('\n')}`)
})
