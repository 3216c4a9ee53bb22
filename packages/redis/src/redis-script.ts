import { createHash } from 'node:crypto'

/**
 * A Lua script with its SHA-1, so the store can send `EVALSHA` and fall back to `EVAL` only
 * when the server has not cached it yet (after a restart or `SCRIPT FLUSH`).
 * @internal
 */
export type RedisScript = {
  /** The Lua source. */
  readonly source: string
  /** Lowercase hex SHA-1 of `source`, as Redis computes it. */
  readonly sha: string
}

/**
 * Pairs a Lua source with its SHA-1.
 * @internal
 */
export function defineRedisScript(source: string): RedisScript {
  return { source, sha: createHash('sha1').update(source).digest('hex') }
}
