import type { Ledger } from '../ledger/types.js'

/** What a worker process does on a shared ledger, for {@link defineLedgerConformance}. */
export type LedgerWorkerTask =
  | {
      /** Reserves `count` spends at once on one line, commits every other one that was reserved. */
      type: 'reserve-many'
      /** Prefix of the spend ids, unique per worker. */
      prefix: string
      count: number
      line: string
      /** Atomic units per spend, as a decimal string. */
      value: string
      /** The line's limit, as a decimal string. */
      limit: string
      /** Unix milliseconds the reservations are made at. */
      at: number
    }
  | {
      /** Reserves one spend, records its signed authorization, reports `ready`, then waits to be killed. */
      type: 'reserve-and-hang'
      id: string
      line: string
      value: string
      limit: string
      at: number
    }

/** What a worker prints when it is done, or `ready` for a task that hangs. */
export type LedgerWorkerResult = { reserved: number; refused: number } | { ready: true }

/**
 * Runs one {@link LedgerWorkerTask} on `ledger` in the calling process and resolves with its
 * result; a backend's worker script calls it with the ledger it opened on shared storage, so the
 * conformance suite can run the same work in two processes and kill one mid-payment.
 *
 * @example
 * // worker.mjs: node worker.mjs '<task as JSON>'
 * const result = await runLedgerWorker(createSqliteLedger({ path }), JSON.parse(process.argv[2]), (line) => console.log(line))
 */
export async function runLedgerWorker(
  ledger: Ledger,
  task: LedgerWorkerTask,
  report: (line: string) => void,
): Promise<LedgerWorkerResult> {
  const limits = [{ line: task.line, limit: BigInt(task.limit) }]
  const spend = (id: string) => ({
    id,
    reservedAt: task.at,
    url: 'https://api.example.com/paid',
    scheme: 'exact',
    network: 'eip155:31337',
    asset: '0x00000000000000000000000000000000000000aa',
    payTo: '0x00000000000000000000000000000000000000bb',
    amount: BigInt(task.value),
    charges: [{ line: task.line, value: BigInt(task.value) }],
  })
  if (task.type === 'reserve-many') {
    const results = await Promise.all(
      Array.from({ length: task.count }, async (_, index) => {
        const id = `${task.prefix}-${index}`
        const result = await ledger.reserve({ spend: spend(id), limits })
        if (result.reserved && index % 2 === 0) await ledger.commit(id, task.at + 1)
        return result.reserved
      }),
    )
    const reserved = results.filter(Boolean).length
    const result = { reserved, refused: task.count - reserved }
    report(JSON.stringify(result))
    return result
  }
  const result = await ledger.reserve({ spend: spend(task.id), limits })
  if (!result.reserved) throw new Error(`The worker could not reserve ${task.id}.`)
  await ledger.append({
    id: task.id,
    type: 'authorized',
    at: task.at,
    url: 'https://api.example.com/paid',
    scheme: 'exact',
    network: 'eip155:31337',
    asset: '0x00000000000000000000000000000000000000aa',
    payTo: '0x00000000000000000000000000000000000000bb',
    amount: task.value,
    payload: { authorization: { value: task.value, validBefore: String(Math.floor(task.at / 1000) + 3600) } },
  })
  report(JSON.stringify({ ready: true }))
  // Mid-payment: the money may be moving. The suite kills this process with SIGKILL here.
  await new Promise(() => undefined)
  return { ready: true }
}
