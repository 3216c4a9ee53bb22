/**
 * A JSON-RPC error answer, with a validator's code (`-32002` preflight failure, `-32602` invalid
 * params, …) and optional `data`.
 * @internal
 */
export class JsonRpcError extends Error {
  override name = 'JsonRpcError'

  constructor(
    readonly code: number,
    message: string,
    readonly data?: unknown,
  ) {
    super(message)
  }
}
