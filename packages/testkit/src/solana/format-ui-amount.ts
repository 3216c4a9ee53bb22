/** A token amount the way the RPC reports it (`uiTokenAmount`). @internal */
export type UiTokenAmount = {
  amount: string
  decimals: number
  uiAmount: number | null
  uiAmountString: string
}

/**
 * Formats atomic units as the RPC's `uiTokenAmount`: the exact decimal string, without trailing
 * zeros, and its (lossy) float.
 * @internal
 */
export function formatUiAmount(amount: bigint, decimals: number): UiTokenAmount {
  const digits = amount.toString().padStart(decimals + 1, '0')
  const whole = digits.slice(0, digits.length - decimals)
  const fraction = digits.slice(digits.length - decimals).replace(/0+$/, '')
  const uiAmountString = fraction === '' ? whole : `${whole}.${fraction}`
  return { amount: amount.toString(), decimals, uiAmount: Number(uiAmountString), uiAmountString }
}
