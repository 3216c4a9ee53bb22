// A ledger worker process on a file ledger: node file-ledger-worker.mjs <path> '<task as JSON>'
import { createFileLedger } from '../../dist/node.js'
import { runLedgerWorker } from '../../dist/test.js'

const [path, task] = process.argv.slice(2)
const ledger = createFileLedger({ path })
await runLedgerWorker(ledger, JSON.parse(task), (line) => process.stdout.write(`${line}\n`))
await ledger.close()
