/** Programs and sizes the Solana code of Tollgate reads or builds instructions for. @internal */

/** The System program. @internal */
export const SYSTEM_PROGRAM = '11111111111111111111111111111111'
/** The SPL Token program. @internal */
export const TOKEN_PROGRAM = 'TokenkegQfeZyiNwAJbNbGKPFXCWuBvf9Ss623VQ5DA'
/** The SPL Token-2022 program. @internal */
export const TOKEN_2022_PROGRAM = 'TokenzQdBNbLqP5VEhdkAS6EPFLC1PHnBqCXEpPxuEb'
/** The Compute Budget program. @internal */
export const COMPUTE_BUDGET_PROGRAM = 'ComputeBudget111111111111111111111111111111'
/** Both token programs: a `tx` payment in a token may use either. @internal */
export const TOKEN_PROGRAMS: readonly string[] = [TOKEN_PROGRAM, TOKEN_2022_PROGRAM]

/** Bytes of a token account: the base layout, plus the account type and ImmutableOwner extension on Token-2022. @internal */
export const TOKEN_ACCOUNT_SIZE = { [TOKEN_PROGRAM]: 165, [TOKEN_2022_PROGRAM]: 170 } as const

/** A base58 address or signature character set, for bounded pre-checks before decoding. @internal */
export const BASE58 = /^[1-9A-HJ-NP-Za-km-z]+$/
