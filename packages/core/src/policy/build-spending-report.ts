import { formatAmount } from '../amount/format-amount.js'
import { addressKey } from '../chains/address-key.js'
import type { AssetInfo } from '../chains/types.js'
import type { LedgerSpend } from '../ledger/types.js'
import { type LimitLine, VALUE_DECIMALS } from './compile-limit.js'
import type { PolicyRuntime } from './compile-policy.js'
import { createSpendTally, type SpendEntry, type SpendTally } from './create-spend-tally.js'
import { rescaleAmount } from './rescale-amount.js'
import { spendAsset } from './spend-asset.js'
import type { SpendingReport, SpendingReportAsset } from './types.js'

/**
 * Sums what the ledger returned (reserved spends, and committed ones within the budget window)
 * into a {@link SpendingReport}, valuing each budget line with the charges the ledger enforced.
 *
 * @example buildSpendingReport(runtime, await runtime.ledger.spends({ committedAfter }))
 * @internal
 */
export function buildSpendingReport(runtime: PolicyRuntime, spends: readonly LedgerSpend[]): SpendingReport {
  const budgets = runtime.budgets
  const committed = createSpendTally(budgets?.length ?? 0)
  const reserved = createSpendTally(budgets?.length ?? 0)
  for (const spend of spends) {
    const entry = toEntry(runtime, spend)
    if (spend.status === 'committed') committed.add(entry)
    else if (spend.status === 'reserved') reserved.add(entry)
  }
  const remainingOf = (index: number, line: LimitLine): bigint =>
    positive(line.limit - (committed.lines[index] ?? 0n) - (reserved.lines[index] ?? 0n))
  const reservedUsd = sumUsd(reserved.assets.values())
  return {
    payments: committed.payments,
    ...usdPart(budgets, committed, remainingOf),
    assets: assetRows(budgets, committed, reserved, remainingOf),
    reserved: {
      payments: reserved.payments,
      ...(reservedUsd === undefined ? {} : { usd: reservedUsd }),
      assets: [...reserved.assets.values()].map(({ asset, amount }) => ({
        network: asset.network,
        asset: asset.address,
        symbol: asset.symbol,
        reserved: formatAmount(amount, asset.decimals),
        reservedAtomic: amount,
      })),
    },
  }
}

function toEntry(runtime: PolicyRuntime, spend: LedgerSpend): SpendEntry {
  const { asset, valued } = spendAsset(runtime.registry, spend)
  return {
    at: spend.settledAt ?? spend.reservedAt,
    key: `${spend.network}|${addressKey(spend.network, asset.address)}`,
    asset,
    valued,
    amount: spend.amount,
    values: (runtime.budgets ?? []).map(
      (line) => spend.charges.find((charge) => charge.line === line.key)?.value ?? 0n,
    ),
  }
}

function assetRows(
  budgets: readonly LimitLine[] | undefined,
  committed: SpendTally,
  reserved: SpendTally,
  remainingOf: (index: number, line: LimitLine) => bigint,
): SpendingReportAsset[] {
  const rows = new Map<string, { asset: AssetInfo; valued: boolean }>()
  for (const [key, { asset, valued }] of committed.assets) rows.set(key, { asset, valued })
  for (const [key, { asset, valued }] of reserved.assets) if (!rows.has(key)) rows.set(key, { asset, valued })
  for (const line of budgets ?? []) {
    const asset = line.asset
    if (asset !== undefined) {
      const key = `${asset.network}|${addressKey(asset.network, asset.address)}`
      if (!rows.has(key)) rows.set(key, { asset, valued: true })
    }
  }
  return [...rows].map(([key, { asset, valued }]) => {
    const spentAtomic = committed.assets.get(key)?.amount ?? 0n
    const row: SpendingReportAsset = {
      network: asset.network,
      asset: asset.address,
      symbol: asset.symbol,
      spent: formatAmount(spentAtomic, asset.decimals),
      spentAtomic,
    }
    if (budgets === undefined) return row
    let remainingAtomic: bigint | undefined
    budgets.forEach((line, index) => {
      if (!valued || !line.applies(asset)) return
      const fits = rescaleAmount(remainingOf(index, line), line.decimals, asset.decimals, 'down')
      if (remainingAtomic === undefined || fits < remainingAtomic) remainingAtomic = fits
    })
    // No line can value this asset, so nothing more may be paid in it.
    const final = remainingAtomic ?? 0n
    return { ...row, remaining: formatAmount(final, asset.decimals), remainingAtomic: final }
  })
}

function usdPart(
  budgets: readonly LimitLine[] | undefined,
  committed: SpendTally,
  remainingOf: (index: number, line: LimitLine) => bigint,
): Pick<SpendingReport, 'usd'> {
  const usdLines = (budgets ?? [])
    .map((line, index) => ({ line, index }))
    .filter(({ line }) => line.kind === 'usd')
  const usdSpent = sumUsd(committed.assets.values())
  if (usdLines.length === 0 && usdSpent === undefined) return {}
  const usd: NonNullable<SpendingReport['usd']> = { spent: usdSpent ?? '0' }
  // The tightest dollar budget is the one that binds.
  const scale = Math.max(VALUE_DECIMALS, ...usdLines.map(({ line }) => line.decimals))
  let tightest: { line: LimitLine; remaining: bigint; scaled: bigint } | undefined
  for (const { line, index } of usdLines) {
    const remaining = remainingOf(index, line)
    const scaled = rescaleAmount(remaining, line.decimals, scale, 'down')
    if (tightest === undefined || scaled < tightest.scaled) tightest = { line, remaining, scaled }
  }
  if (tightest !== undefined) {
    usd.remaining = formatAmount(tightest.remaining, tightest.line.decimals)
    usd.limit = formatAmount(tightest.line.limit, tightest.line.decimals)
  }
  return { usd }
}

// Dollars across USD-pegged assets, summed exactly at the largest decimals involved.
function sumUsd(
  entries: Iterable<{ asset: AssetInfo; valued: boolean; amount: bigint }>,
): string | undefined {
  const pegged = [...entries].filter(({ asset, valued }) => valued && asset.usdPegged)
  if (pegged.length === 0) return undefined
  const scale = Math.max(0, ...pegged.map(({ asset }) => asset.decimals))
  const total = pegged.reduce(
    (sum, { asset, amount }) => sum + rescaleAmount(amount, asset.decimals, scale, 'up'),
    0n,
  )
  return formatAmount(total, scale)
}

function positive(value: bigint): bigint {
  return value > 0n ? value : 0n
}
