import { join } from 'node:path'
import { Client as McpClient } from '@modelcontextprotocol/sdk/client/index.js'
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js'
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js'
import type { Client } from '@tollgate/core'
import { createFileLedger } from '@tollgate/core/node'
import { callPaidTool } from '@tollgate/mcp'
import { transfersOnChain } from '@tollgate/test-support'
import type { Payer } from '../../attack/src/start-world.js'
import { armFault } from './arm-fault.js'
import type { Fault, Kind, Outcome, Transport } from './matrix.js'
import { openFaultClient, spentUsdc } from './open-fault-client.js'
import type { FaultWorld } from './start-fault-world.js'

/** What a purchase costs in the devnet USDC's atomic units (see `FAULT_ROUTES`). */
const PRICES: Record<Kind, bigint> = { tx: 1_000n, exact: 1_000n, pass: 50_000n }
/** Calls the agent makes after its client gave up: one more, as an agent retrying a tool would. */
const AGENT_RETRIES = 1

type Run = { id: string; kind: Kind; transport: Transport; faults: FaultWorld; payer: Payer; client: Client }
type Bought = { delivered: boolean; replayed: boolean; agentRetries: number; detail: string }

/**
 * Why `fault` cannot happen to `kind` over `transport`, or undefined when it can.
 *
 * @example notApplicable('tx', 'express', 'drop-settling') // 'a tx payment is on chain before...'
 */
export function notApplicable(kind: Kind, transport: Transport, fault: Fault): string | undefined {
  if (kind === 'pass' && transport === 'mcp') {
    return 'passes are not offered over MCP (a pass is bound to an HTTP origin)'
  }
  if (kind === 'tx' && fault === 'kill-9-unsent') {
    return 'no settlement at the gate: the held call is a read, so this is kill-9'
  }
  if (kind === 'tx' && fault === 'drop-settling') {
    return 'no settlement at the gate: the payer’s transfer is on chain before the request (see drop-before/after)'
  }
  return undefined
}

/**
 * Runs one purchase of `kind` over `transport` with `fault` injected, with a real client (file
 * ledger) paying from a fresh account, and judges it from the chain: delivered exactly once, at most
 * one transfer, the client's books equal to the chain.
 *
 * @example const outcome = await runFault(faults, 'exact', 'express', 'kill-9')
 */
export async function runFault(
  faults: FaultWorld,
  kind: Kind,
  transport: Transport,
  fault: Fault,
): Promise<Outcome> {
  const reason = notApplicable(kind, transport, fault)
  if (reason !== undefined) return { kind, transport, fault, applicable: false, reason }
  const id = `${kind}-${transport}-${fault}`
  const payer = await faults.world.newPayer(1_000_000n)
  const ledger = createFileLedger({ path: join(faults.directory, `${id}.jsonl`) })
  const run: Run = {
    id,
    kind,
    transport,
    faults,
    payer,
    client: openFaultClient(faults.world, payer, ledger, {
      scheme: kind === 'tx' ? 'tx' : 'exact',
      rpcUrl: faults.world.proxy.url,
    }),
  }
  const armed = armFault(faults, kind, transport, fault)
  try {
    const bought = transport === 'express' ? await buyOverHttp(run) : await buyOverMcp(run)
    if (armed.fired()) await armed.background
    armed.disarm()
    const ride = kind === 'pass' ? await rideOnPass(run) : undefined
    return { kind, transport, fault, applicable: true, ...(await judge(run, bought, ride, armed.fired())) }
  } finally {
    armed.disarm()
    await ledger.close()
  }
}

async function buyOverHttp(run: Run): Promise<Bought> {
  const url = `${run.faults.front.url}${run.kind === 'pass' ? '/api/pass' : '/api/item'}`
  const init = { method: run.kind === 'pass' ? 'POST' : 'GET', headers: { 'x-fault-run': run.id } }
  let detail = ''
  for (let agentRetries = 0; agentRetries <= AGENT_RETRIES; agentRetries++) {
    try {
      const response = await run.client.fetch(url, init)
      const text = await response.text()
      const delivered = response.status === 200 && runOf(text) === run.id
      const replayed = response.headers.get('payment-replay') === 'true'
      if (delivered) return { delivered, replayed, agentRetries, detail: '' }
      detail = `status ${response.status}: ${text.slice(0, 160)}`
    } catch (error) {
      detail = describe(error)
    }
  }
  return { delivered: false, replayed: false, agentRetries: AGENT_RETRIES, detail }
}

async function buyOverMcp(run: Run): Promise<Bought> {
  let detail = ''
  for (let agentRetries = 0; agentRetries <= AGENT_RETRIES; agentRetries++) {
    // A new session per call: after a lost answer the old one may be gone with its process.
    const mcp = new McpClient({ name: 'fault-agent', version: '0.0.0' })
    try {
      await mcp.connect(new StreamableHTTPClientTransport(new URL(`${run.faults.front.url}/mcp`)))
      const { result } = await callPaidTool(mcp, run.client, { name: 'item', arguments: { run: run.id } })
      const text = textOf(result)
      const delivered = result.isError !== true && runOf(text) === run.id
      const settle = result._meta?.['x402/payment-response'] as
        | { extensions?: { replay?: unknown } }
        | undefined
      if (delivered)
        return { delivered, replayed: settle?.extensions?.replay === true, agentRetries, detail: '' }
      detail = `tool error: ${text.slice(0, 160)}`
    } catch (error) {
      detail = describe(error)
    } finally {
      await mcp.close().catch(() => {})
    }
  }
  return { delivered: false, replayed: false, agentRetries: AGENT_RETRIES, detail }
}

/** After a pass purchase: a ride must be covered by the pass, with no payment. */
async function rideOnPass(run: Run): Promise<string | undefined> {
  const rideId = `${run.id}/ride`
  try {
    const response = await run.client.fetch(`${run.faults.front.url}/api/ride`, {
      headers: { 'x-fault-run': rideId },
    })
    const text = await response.text()
    if (response.status !== 200 || runOf(text) !== rideId) return `ride answered ${response.status}`
    const method = run.client.paymentFor(response)?.method
    return method === 'pass' ? undefined : `ride was paid by ${method ?? 'nothing'}, not the pass`
  } catch (error) {
    return `ride failed: ${describe(error)}`
  }
}

async function judge(run: Run, bought: Bought, ride: string | undefined, fired: boolean) {
  const { world } = run.faults
  await run.faults.settle()
  const handlerRuns = world.handlerRuns(run.id)
  const transfers = await transfersOnChain(world.devnet, run.payer.address, world.payTo)
  const onChain = transfers.reduce((sum, amount) => sum + amount, 0n)
  const spent = await spentUsdc(run.client, world.usdc)
  const reserved = await run.client.reserved()
  const booksEqualChain = spent === onChain && reserved.payments === 0
  const violations: string[] = []
  if (!fired) violations.push('the fault never fired')
  if (!bought.delivered) violations.push(`not delivered (${bought.detail})`)
  if (handlerRuns !== 1) violations.push(`handler ran ${handlerRuns} times`)
  if (transfers.length > 1) violations.push(`paid ${transfers.length} times on chain`)
  if (bought.delivered && onChain !== PRICES[run.kind])
    violations.push(`moved ${onChain}, price ${PRICES[run.kind]}`)
  if (!booksEqualChain)
    violations.push(`books ${spent} spent + ${reserved.payments} reserved, chain ${onChain}`)
  if (ride !== undefined) violations.push(ride)
  if (run.kind === 'pass' && world.handlerRuns(`${run.id}/ride`) !== 1)
    violations.push('the ride was not served once')
  return { ...bought, handlerRuns, transfers, booksEqualChain, violations }
}

function runOf(text: string): string | undefined {
  try {
    return (JSON.parse(text) as { run?: string }).run
  } catch {
    return undefined
  }
}

function textOf(result: CallToolResult): string {
  const [first] = result.content
  return first?.type === 'text' ? first.text : ''
}

function describe(error: unknown): string {
  const code = (error as { code?: unknown }).code
  const message = error instanceof Error ? error.message : String(error)
  return `${typeof code === 'string' ? `${code}: ` : ''}${message}`.slice(0, 200)
}
