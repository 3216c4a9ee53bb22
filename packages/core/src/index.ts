/**
 * @module @tollgate/core
 * HTTP 402 payments for AI agents and APIs: exact money math, the x402 v2 wire, the chain
 * registry, passes and challenges, the gate and the paying client. Web standards only: this
 * entry imports no chain library and no `node:` module.
 */
export { MAX_UINT256 } from './amount/constants.js'
export { formatAmount } from './amount/format-amount.js'
export { parseAmount } from './amount/parse-amount.js'
export { parseAtomicAmount } from './amount/parse-atomic-amount.js'
export { errorStatus, type TollgateErrorCode } from './errors/error-codes.js'
export { statusForCode, TollgateError, type TollgateErrorOptions } from './errors/tollgate-error.js'
