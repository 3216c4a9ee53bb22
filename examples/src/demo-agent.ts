// The demo agent from code: anvil, the demo API and the LangChain agent with a scripted model.
import { createReport, runLangChainAgent, startDemoServices } from '@tollgate/demo-agent'

const services = await startDemoServices() // anvil + the demo API with a settler
const report = createReport({ write: (text) => process.stderr.write(text) })
const run = await runLangChainAgent({ services, report, model: { provider: 'scripted' } })
console.log(
  JSON.stringify(run.payments, (_key, value) => (typeof value === 'bigint' ? String(value) : value)),
)
// run.payments: [{ route: 'GET /api/search', scheme: 'exact', amount: 1000n, transaction: '0x…' }, …]
await services.stop()
