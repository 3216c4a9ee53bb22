/**
 * Formats rows as a plain-text table with a header and right-aligned numbers.
 *
 * @example formatTable(['row', 'req/s'], [['bare', '5123']])
 */
export function formatTable(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = header.map((title, column) =>
    Math.max(title.length, ...rows.map((row) => (row[column] ?? '').length)),
  )
  const line = (cells: readonly string[]): string =>
    cells
      .map((cell, column) => (column === 0 ? cell.padEnd(widths[column]!) : cell.padStart(widths[column]!)))
      .join('  ')
  return [line(header), widths.map((width) => '-'.repeat(width)).join('  '), ...rows.map(line)].join('\n')
}

/** A measured row of a load table. */
export type LoadRow = {
  label: string
  connections: number
  ok: number
  failed: number
  requestsPerSecond: number
  p50Ms: number
  p99Ms: number
  /** Shown in a last `× bare` column when every row has it. */
  ratioToBare?: number
}

/**
 * Formats load rows (connections, outcomes, req/s, p50 and p99) as a {@link formatTable} table,
 * with a `× bare` column when every row has a ratio.
 *
 * @example formatLoadTable([{ label: '(a) bare', connections: 10, ok: 5, failed: 0, requestsPerSecond: 5, p50Ms: 1, p99Ms: 2 }])
 */
export function formatLoadTable(rows: readonly LoadRow[]): string {
  const ratios = rows.every((row) => row.ratioToBare !== undefined)
  return formatTable(
    ['row', 'conns', 'ok', 'failed', 'req/s', 'p50 ms', 'p99 ms', ...(ratios ? ['× bare'] : [])],
    rows.map((row) => [
      row.label,
      String(row.connections),
      String(row.ok),
      String(row.failed),
      row.requestsPerSecond.toFixed(0),
      row.p50Ms.toFixed(1),
      row.p99Ms.toFixed(1),
      ...(ratios ? [(row.ratioToBare as number).toFixed(3)] : []),
    ]),
  )
}
