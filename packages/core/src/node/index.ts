/**
 * @module @tollgate/core/node
 * Node.js-only parts of Tollgate: durable storage on the local file system. The only entry of
 * `@tollgate/core` that imports `node:` modules.
 */
export { type CreateFileLedgerOptions, createFileLedger, type FileLedger } from './create-file-ledger.js'
