import type { SpendingReport } from '@tollgate/core'

/**
 * The budget line of a spending report (`client.spent()`): what is left of the limit, and what was
 * spent in how many payments.
 *
 * @example formatBudget({ payments: 2, usd: { spent: '0.301', remaining: '1.199', limit: '1.5' }, … })
 * // '$1.199 left of $1.50 (2 payments, $0.301 spent)'
 */
export function formatBudget(report: { payments: number; usd?: SpendingReport['usd'] | undefined }): string {
  const usd = report.usd
  const payments = `${report.payments} payment${report.payments === 1 ? '' : 's'}`
  if (usd === undefined) return `${payments}, nothing in dollars`
  const spent = `${payments}, ${formatDollars(usd.spent)} spent`
  if (usd.remaining === undefined || usd.limit === undefined) return spent
  return `${formatDollars(usd.remaining)} left of ${formatDollars(usd.limit)} (${spent})`
}

/**
 * A decimal dollar amount with at least two decimals: `"1.5"` → `"$1.50"`, `"0.001"` → `"$0.001"`.
 *
 * @example formatDollars('0.3') // '$0.30'
 */
export function formatDollars(amount: string): string {
  const [whole = '0', fraction = ''] = amount.replace(/^\$/, '').split('.')
  return `$${whole}.${fraction.padEnd(2, '0')}`
}
