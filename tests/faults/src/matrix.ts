/** What is bought: a `tx` proof, an `exact` authorization, or a pass (bought with `exact`) then ridden. */
export type Kind = 'tx' | 'exact' | 'pass'
/** How the paying client reaches the gate. */
export type Transport = 'express' | 'mcp'
/** The one fault a run injects. */
export type Fault =
  | 'drop-before'
  | 'drop-after'
  | 'drop-settling'
  | 'receipt-lost'
  | 'rpc-502'
  | 'kill-9'
  | 'kill-9-unsent'
  | 'second-instance'

export const KINDS: readonly Kind[] = ['tx', 'exact', 'pass']
export const TRANSPORTS: readonly Transport[] = ['express', 'mcp']
export const FAULTS: readonly Fault[] = [
  'drop-before',
  'drop-after',
  'drop-settling',
  'receipt-lost',
  'rpc-502',
  'kill-9',
  'kill-9-unsent',
  'second-instance',
]

/** What each fault does, for the printed table. */
export const FAULT_NAMES: Record<Fault, string> = {
  'drop-before': 'connection dropped before the gate',
  'drop-after': 'connection dropped after the handler answered',
  'drop-settling': 'connection dropped during settlement',
  'receipt-lost': 'settlement receipt lost',
  'rpc-502': 'RPC answers 502 to a send the node accepted',
  'kill-9': 'gate killed (kill -9) mid-settlement, restarted on the same Redis',
  'kill-9-unsent': 'gate killed (kill -9) at its settlement send, which the node never gets; restarted',
  'second-instance': 'a second gate instance answers the retry',
}

/** One cell of the matrix: a run's outcome judged from the chain, or why the fault does not apply. */
export type Outcome = {
  kind: Kind
  transport: Transport
  fault: Fault
} & (
  | { applicable: false; reason: string }
  | {
      applicable: true
      /** The client got the paid response (possibly replayed). */
      delivered: boolean
      /** Times the purchase's handler ran, counted by the merchant processes. */
      handlerRuns: number
      /** Amounts of the payer's token transfers to the merchant, read from `Transfer` events. */
      transfers: bigint[]
      /** The client's ledger (spent, nothing left reserved) equals what the chain moved. */
      booksEqualChain: boolean
      /** The client got a replayed answer (`Payment-Replay: true`, or `extensions.replay`). */
      replayed: boolean
      /** Times the agent called again after its client gave up (a new `fetch` or tool call). */
      agentRetries: number
      /** What broke a promise; empty when the purchase was delivered exactly once and paid once. */
      violations: string[]
    }
)

/**
 * The matrix as a text table: kind × transport × fault → delivered, handler runs, transfers on
 * chain, books = chain, replayed; n/a rows give their reason.
 *
 * @example process.stdout.write(formatMatrix(outcomes))
 */
export function formatMatrix(outcomes: readonly Outcome[]): string {
  const header = [
    'kind',
    'transport',
    'fault',
    'delivered',
    'handler runs',
    'transfers',
    'books=chain',
    'replayed',
    'result',
  ]
  const rows = outcomes.map((outcome) => {
    const head = [outcome.kind, outcome.transport, outcome.fault]
    if (!outcome.applicable) return [...head, 'n/a', '', '', '', '', outcome.reason]
    const result = outcome.violations.length === 0 ? 'ok' : `FAIL: ${outcome.violations.join('; ')}`
    return [
      ...head,
      outcome.delivered ? 'yes' : 'no',
      String(outcome.handlerRuns),
      String(outcome.transfers.length),
      outcome.booksEqualChain ? 'yes' : 'no',
      outcome.replayed ? 'yes' : 'no',
      outcome.agentRetries > 0 ? `${result} (agent retried ${outcome.agentRetries}x)` : result,
    ]
  })
  const widths = header.map((_, column) =>
    Math.max(header[column]!.length, ...rows.map((row) => (column === 8 ? 0 : row[column]!.length))),
  )
  const line = (cells: readonly string[]) =>
    `| ${cells.map((cell, column) => (column === 8 ? cell : cell.padEnd(widths[column]!))).join(' | ')} |`
  const failed = outcomes.filter((outcome) => outcome.applicable && outcome.violations.length > 0).length
  const ran = outcomes.filter((outcome) => outcome.applicable).length
  const legend = Object.entries(FAULT_NAMES).map(([fault, name]) => `  ${fault}: ${name}\n`)
  return [
    '\nexactly-once fault matrix\n',
    ...legend,
    `${line(header)}\n`,
    ...rows.map((row) => `${line(row)}\n`),
    `fault matrix: ${ran} runs, ${failed} failed, ${outcomes.length - ran} n/a\n`,
  ].join('')
}
