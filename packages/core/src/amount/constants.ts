/** The largest amount any supported chain can represent: 2^256 - 1 atomic units. */
export const MAX_UINT256 = 2n ** 256n - 1n

/** The most decimals an asset may declare. */
export const MAX_DECIMALS = 77

/** Longest decimal string accepted; 2^256 has 78 digits, plus a point and up to 77 fraction digits. */
export const MAX_AMOUNT_LENGTH = 160
