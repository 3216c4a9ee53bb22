import { accessSync, constants } from 'node:fs'
import { delimiter, join } from 'node:path'

/**
 * Finds `redis-server`: `REDIS_SERVER_BIN`, else the first on `PATH`; undefined when there is none.
 *
 * @example if (findRedisServer() === undefined) console.log('skipped: redis-server not found')
 */
export function findRedisServer(): string | undefined {
  const configured = process.env.REDIS_SERVER_BIN?.trim()
  const candidates = configured
    ? [configured]
    : (process.env.PATH ?? '')
        .split(delimiter)
        .filter((directory) => directory !== '')
        .map((directory) => join(directory, 'redis-server'))
  for (const candidate of candidates) {
    try {
      accessSync(candidate, constants.X_OK)
      return candidate
    } catch {}
  }
  return undefined
}
