import type { GateLogger } from '../../src/gate/types.js'

/** Gate warnings a test run collected; tests must not write to the console. */
export const gateWarnings: { message: string; error?: unknown }[] = []

/** A gate logger that collects warnings instead of printing them. */
export const quietLogger: GateLogger = {
  warn: (message, error) => {
    gateWarnings.push(error === undefined ? { message } : { message, error })
  },
}
