import { type CreateGateOptions, createGate, type Gate } from '@tollgate/core'

/**
 * Anything with the gate's `handle`: a gate from any copy of `@tollgate/core`. `paidHandler` uses
 * its `serve` when it has one (a gate from a core that has it), else `handle`.
 */
export type TollgateGate = Pick<Gate, 'handle'> & Partial<Pick<Gate, 'serve'>>

/**
 * The gate `tollgate()` and `paidHandler()` were given, or one created from the options they were
 * given instead.
 *
 * @internal
 * @example const gate = resolveGate(gateOrOptions)
 * @throws {TollgateError} `config_invalid` (from `createGate`) when given invalid gate options
 */
export function resolveGate(gateOrOptions: TollgateGate | CreateGateOptions): TollgateGate {
  return typeof (gateOrOptions as Partial<TollgateGate>).handle === 'function'
    ? (gateOrOptions as TollgateGate)
    : createGate(gateOrOptions as CreateGateOptions)
}
