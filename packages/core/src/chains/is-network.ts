import type { Network } from './types.js'

const CAIP2 = /^[-a-z0-9]{3,8}:[-_a-zA-Z0-9]{1,32}$/

/**
 * Whether `value` is a syntactically valid CAIP-2 chain id.
 * @example isNetwork('eip155:8453') // true
 */
export function isNetwork(value: unknown): value is Network {
  return typeof value === 'string' && CAIP2.test(value)
}
