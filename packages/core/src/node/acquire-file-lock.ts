import { closeSync, mkdirSync, openSync, readFileSync, unlinkSync, writeSync } from 'node:fs'
import { hostname } from 'node:os'
import { dirname, resolve } from 'node:path'
import { TollgateError } from '../errors/tollgate-error.js'

/** An exclusive lock on a file, held until released. @internal */
export type FileLock = {
  /** The lock file's path. */
  readonly path: string
  /** Deletes the lock file. Idempotent. */
  release(): void
}

type LockOwner = { pid?: unknown; host?: unknown; at?: unknown }

// Lock files this process holds, so a second ledger object in the same process is refused too.
const heldHere = new Set<string>()

/**
 * Takes the exclusive lock `<path>.lock` (created with `O_EXCL`, holding the owner's pid and
 * host). A lock whose owner on this host is no longer running (a `kill -9`, a crash) is taken
 * over; a live owner, in another process or in this one, makes it fail.
 *
 * @example const lock = acquireFileLock('/var/lib/agent/ledger.jsonl'); lock.release()
 * @throws {TollgateError} `ledger_locked` when another live writer holds it, `ledger_unavailable`
 * when the lock file cannot be created or read
 * @internal
 */
export function acquireFileLock(path: string): FileLock {
  const lockPath = `${resolve(path)}.lock`
  mkdirSync(dirname(lockPath), { recursive: true })
  for (let attempt = 0; attempt < 3; attempt++) {
    if (heldHere.has(lockPath)) throw locked(path, lockPath, process.pid)
    try {
      const descriptor = openSync(lockPath, 'wx')
      try {
        writeSync(descriptor, JSON.stringify({ pid: process.pid, host: hostname(), at: Date.now() }))
      } finally {
        closeSync(descriptor)
      }
      heldHere.add(lockPath)
      return {
        path: lockPath,
        release() {
          if (!heldHere.delete(lockPath)) return
          try {
            unlinkSync(lockPath)
          } catch {
            // Already gone: nothing to release.
          }
        },
      }
    } catch (error) {
      if ((error as { code?: unknown }).code !== 'EEXIST') throw unavailable(path, error)
    }
    const owner = readOwner(lockPath)
    if (owner === undefined) continue
    if (isAlive(owner)) throw locked(path, lockPath, owner.pid)
    // The owner is gone: its lock is stale. Remove it and race for it again.
    try {
      unlinkSync(lockPath)
    } catch (error) {
      if ((error as { code?: unknown }).code !== 'ENOENT') throw unavailable(path, error)
    }
  }
  throw locked(path, lockPath, undefined)
}

function readOwner(lockPath: string): LockOwner | undefined {
  let text: string
  try {
    text = readFileSync(lockPath, 'utf8')
  } catch (error) {
    // Released between our attempt and the read: try again.
    if ((error as { code?: unknown }).code === 'ENOENT') return undefined
    throw unavailable(lockPath, error)
  }
  try {
    return JSON.parse(text) as LockOwner
  } catch {
    // A lock file cut short by a crash between create and write has no live owner to protect.
    return {}
  }
}

function isAlive(owner: LockOwner): boolean {
  if (typeof owner.pid !== 'number' || !Number.isSafeInteger(owner.pid) || owner.pid <= 0) return false
  // A lock taken on another host (a shared file system) cannot be checked: it is respected.
  if (typeof owner.host === 'string' && owner.host !== hostname()) return true
  try {
    process.kill(owner.pid, 0)
    return true
  } catch (error) {
    // EPERM: the process exists but belongs to someone else.
    return (error as { code?: unknown }).code === 'EPERM'
  }
}

function locked(path: string, lockPath: string, pid: unknown): TollgateError {
  return new TollgateError(
    'ledger_locked',
    `The payment ledger ${path} is in use by another writer${typeof pid === 'number' ? ` (pid ${pid})` : ''}; one process writes a ledger file at a time. Share a budget across processes with the SQLite or Redis ledger.`,
    { details: { path, lock: lockPath, ...(typeof pid === 'number' ? { pid } : {}) } },
  )
}

function unavailable(path: string, error: unknown): TollgateError {
  const code = (error as { code?: unknown } | undefined)?.code
  return new TollgateError(
    'ledger_unavailable',
    `The lock of the payment ledger ${path} could not be taken${typeof code === 'string' ? ` (${code})` : ''}.`,
    { cause: error, details: { path } },
  )
}
