import { spawn, spawnSync } from 'node:child_process'
import { once } from 'node:events'
import { join } from 'node:path'
import { decodePaymentReceipt, parsePaymentChallenges } from '@tollgate/core'
import { mppCredential } from '@tollgate/test-support'
import { privateKeyToAccount } from 'viem/accounts'
import { describe, expect, test, vi } from 'vitest'
import { envOf, received, useExamplesWorld, world } from './examples-world.js'
import { examplesDir, freePort, runExample, startExample } from './run-example.js'

// Every README example of the gate side (root, Express, Hono, core, Prometheus, SQLite,
// Redis, demo API) runs here against its own devnet; money is read
// from the chain. The other READMEs' examples are in the other `examples-*.test.ts` file, which
// runs alongside.
useExamplesWorld(['devnetApi', 'expressApp', 'honoApp', 'honoRoute'])

describe('README examples on the devnet: gates, stores and the core client', () => {
  test('root README: the agent pays the API $0.001, read from the chain', async () => {
    let stdout = ''
    expect(
      await received(async () => {
        ;({ stdout } = await runExample('src/devnet-agent.ts', envOf(1, world.servers.devnetApi)))
      }),
    ).toBe(1000n)
    expect(stdout).toMatch(/^200 /)
    expect(stdout).toContain('"spentAtomic":"1000"')
  })

  test('express README: an unpaid request is a 402, the pass route has a handler, free routes pass', async () => {
    expect((await fetch(`${world.servers.expressApp}/api/search`)).status).toBe(402)
    expect((await fetch(`${world.servers.expressApp}/api/pass`, { method: 'POST' })).status).toBe(402)
    expect(await (await fetch(`${world.servers.expressApp}/health`)).json()).toEqual({ ok: true })
    // Discovery is served by the gate, in front of the app.
    const openapi = await (await fetch(`${world.servers.expressApp}/openapi.json`)).json()
    expect(openapi.paths['/api/search'].get['x-payment-info'].offers[0]).toMatchObject({ amount: '1000' })
  })

  test('core README: the gate serves its discovery documents and lists a dynamic price as null', async () => {
    const script = `import('./src/core-discovery.ts').then(async (module) => {
      const get = (path) => module.default.fetch(new Request('http://127.0.0.1' + path))
      const openapi = await (await get('/openapi.json')).json()
      const wellKnown = await (await get('/.well-known/x402')).json()
      const unpaid = await get('/api/search?q=x')
      process.stdout.write(JSON.stringify({
        openapi, wellKnown, builtOpenapi: module.openapi, price: module.price,
        paymentRequired: JSON.parse(Buffer.from(unpaid.headers.get('payment-required'), 'base64').toString()),
      }))
    })`
    const file = join(world.scratch, 'core-discovery-probe.mts')
    const { writeFileSync } = await import('node:fs')
    writeFileSync(file, script.replace('./src/core-discovery.ts', join(examplesDir, 'src/core-discovery.ts')))
    const { stdout } = await runExample(file, { RPC_URL: world.devnet.rpcUrl })
    const probe = JSON.parse(stdout)
    expect(probe.openapi).toEqual(probe.builtOpenapi)
    expect(probe.openapi.paths['/api/summarize'].post['x-payment-info'].offers[0].amount).toBeNull()
    expect(probe.wellKnown.resources).toEqual([
      'https://api.example.com/api/search',
      'https://api.example.com/api/summarize',
    ])
    expect(probe.price.accepts.map((option: { display: string }) => option.display)).toEqual(['0.001 USDC'])
    expect(probe.paymentRequired.extensions.bazaar.info.input).toEqual({ type: 'http', method: 'GET' })
  })

  test('hono README: the agent pays the Hono app $0.001, read from the chain; the pass route is priced, free routes pass', async () => {
    let stdout = ''
    expect(
      await received(async () => {
        ;({ stdout } = await runExample('src/devnet-agent.ts', envOf(1, world.servers.honoApp)))
      }),
    ).toBe(1000n)
    expect(stdout).toMatch(/^200 /)
    expect((await fetch(`${world.servers.honoApp}/api/pass`, { method: 'POST' })).status).toBe(402)
    expect(await (await fetch(`${world.servers.honoApp}/health`)).json()).toEqual({ ok: true })
  })

  test('hono README: the agent pays the paidHandler route $0.001, read from the chain; the pass route is priced, free routes pass', async () => {
    let stdout = ''
    expect(
      await received(async () => {
        ;({ stdout } = await runExample('src/devnet-agent.ts', envOf(1, world.servers.honoRoute)))
      }),
    ).toBe(1000n)
    expect(stdout).toMatch(/^200 /)
    expect((await fetch(`${world.servers.honoRoute}/api/pass`, { method: 'POST' })).status).toBe(402)
    expect(await (await fetch(`${world.servers.honoRoute}/health`)).json()).toEqual({ ok: true })
  })

  test('core README: toFetchHandler in a Next route handler and a Worker answers 402 unpaid, HEAD without a body', async () => {
    const script = `Promise.all([import('NEXT'), import('WORKER')]).then(async ([next, worker]) => {
      const get = await next.GET(new Request('http://127.0.0.1:3000/api/search?q=1'))
      const head = await next.HEAD(new Request('http://127.0.0.1:3000/api/search', { method: 'HEAD' }))
      const env = { RPC_URL: process.env.RPC_URL, TOLLGATE_SECRET: 'worker-secret-0123456789abcdef0123456789' }
      const weather = await worker.default.fetch(new Request('http://127.0.0.1/api/weather'), env)
      const free = await worker.default.fetch(new Request('http://127.0.0.1/health'), env)
      process.stdout.write(JSON.stringify([get.status, head.status, head.body, weather.status, free.status]))
    })`
    const file = join(world.scratch, 'fetch-handler-probe.mts')
    const { writeFileSync } = await import('node:fs')
    writeFileSync(
      file,
      script
        .replace('NEXT', join(examplesDir, 'src/fetch-handler-next.ts'))
        .replace('WORKER', join(examplesDir, 'src/fetch-handler-worker.ts')),
    )
    const { stdout } = await runExample(file, { RPC_URL: world.devnet.rpcUrl })
    // The Worker's handler answers every path it gets: an unpriced one is served.
    expect(JSON.parse(stdout)).toEqual([402, 402, null, 402, 200])
  })

  test('core README: the client pays with a file ledger and an approval rule', async () => {
    const env = { ...envOf(2), LEDGER_PATH: join(world.scratch, 'ledger.jsonl') }
    expect(await received(() => runExample('src/core-client.ts', env))).toBe(1000n)
  })

  test('core README: the client pays MPP first, read from the chain and the Payment-Receipt', async () => {
    // The fetch-style gate example sells `exact`, so it offers MPP challenges too: serve it.
    const script = `import { createServer } from 'node:http'
      import('./src/core-gate.ts').then(({ default: app }) => {
        createServer(async (incoming, outgoing) => {
          const headers = new Headers()
          for (const [name, value] of Object.entries(incoming.headers)) if (typeof value === 'string') headers.set(name, value)
          const response = await app.fetch(new Request('http://127.0.0.1' + incoming.url, { method: incoming.method, headers }))
          outgoing.writeHead(response.status, Object.fromEntries(response.headers))
          outgoing.end(Buffer.from(await response.arrayBuffer()))
        }).listen(Number(process.env.PORT), '127.0.0.1', () => console.log('listening'))
      })`
    const file = join(world.scratch, 'core-gate-server.mts')
    const { writeFileSync } = await import('node:fs')
    writeFileSync(file, script.replace('./src/core-gate.ts', join(examplesDir, 'src/core-gate.ts')))
    const port = await freePort()
    const server = await startExample(
      file,
      { RPC_URL: world.devnet.rpcUrl, SETTLER_KEY: world.devnet.accounts[8]!.privateKey, PORT: String(port) },
      /listening/,
    )
    world.stops.push(server.stop)
    let stdout = ''
    expect(
      await received(async () => {
        ;({ stdout } = await runExample('src/core-client-mpp.ts', envOf(2, `http://127.0.0.1:${port}`)))
      }),
    ).toBe(1000n)
    expect(stdout).toMatch(/^200 /)
    expect(stdout).toContain("scheme: 'mpp'")
    const receipt = JSON.parse(Buffer.from(stdout.trim().split('\n').at(-1)!, 'base64url').toString())
    expect(receipt).toMatchObject({ status: 'success', method: 'evm' })
  })

  test('core README: the fetch-style gate answers 402 with an exact offer', async () => {
    const script = `import('./src/core-gate.ts').then(async (module) => {
      const response = await module.default.fetch(new Request('http://127.0.0.1/api/search'))
      process.stdout.write(String(response.status) + ' ' + response.headers.get('payment-required'))
    })`
    const file = join(world.scratch, 'core-gate-probe.mts')
    const { writeFileSync } = await import('node:fs')
    writeFileSync(file, script.replace('./src/core-gate.ts', join(examplesDir, 'src/core-gate.ts')))
    const { stdout } = await runExample(file, {
      RPC_URL: world.devnet.rpcUrl,
      SETTLER_KEY: world.devnet.accounts[8]!.privateKey,
    })
    const [status, header] = stdout.split(' ')
    expect(status).toBe('402')
    const offers = JSON.parse(Buffer.from(header!, 'base64').toString()).accepts as { scheme: string }[]
    expect(offers.map((offer) => offer.scheme).sort()).toEqual(['exact', 'tx'])
  })

  test('core README (MPP): the 402 carries a Payment challenge; a Payment credential is paid, read from the chain', async () => {
    process.env.RPC_URL = world.devnet.rpcUrl
    process.env.SETTLER_KEY = world.devnet.accounts[8]!.privateKey
    // The example keeps its gate's store in memory, and says so once: expected here.
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {})
    const { default: api } = (await import('../src/core-gate-mpp.js')) as {
      default: { fetch: (request: Request) => Promise<Response> }
    }
    expect(warn.mock.calls.map(([message]) => String(message))).toEqual([
      expect.stringContaining('does not survive a restart'),
    ])
    warn.mockRestore()
    const url = 'http://127.0.0.1:4021/api/report'
    const offered = await api.fetch(new Request(url))
    expect(offered.status).toBe(402)
    expect(offered.headers.get('payment-required')).not.toBeNull()
    const [challenge] = parsePaymentChallenges(offered.headers.get('www-authenticate') ?? '').challenges
    expect(challenge).toMatchObject({ method: 'evm', intent: 'charge', description: 'Daily report' })
    const payer = privateKeyToAccount(world.devnet.accounts[6]!.privateKey)
    const credential = await mppCredential(world.devnet, payer, challenge!)
    let paid: Response | undefined
    expect(
      await received(async () => {
        paid = await api.fetch(new Request(url, { headers: { Authorization: credential } }))
      }),
    ).toBe(10_000n)
    expect(paid!.status).toBe(200)
    expect(await paid!.json()).toEqual({ report: 'today' })
    expect(decodePaymentReceipt(paid!.headers.get('payment-receipt'))).toMatchObject({
      method: 'evm',
      status: 'success',
    })
  })

  test('prometheus README: the metrics endpoint counts the refusal', async () => {
    const port = await freePort()
    const server = await startExample(
      'src/prometheus-metrics.ts',
      { RPC_URL: world.devnet.rpcUrl, PORT: String(port) },
      /listening/,
    )
    world.stops.push(server.stop)
    expect((await fetch(`http://127.0.0.1:${port}/api/search`)).status).toBe(402)
    expect(await (await fetch(`http://127.0.0.1:${port}/metrics`)).text()).toMatch(/^tollgate_/m)
  })

  test('sqlite README: a gate on a SQLite store', async () => {
    const { stdout } = await runExample('src/sqlite-store.ts', {
      RPC_URL: world.devnet.rpcUrl,
      STORE_PATH: join(world.scratch, 'tollgate.db'),
    })
    expect(stdout.trim()).toBe('402')
  })

  test('sqlite README: a budget shared through a SQLite ledger', async () => {
    const { stdout } = await runExample('src/sqlite-ledger.ts', {
      LEDGER_PATH: join(world.scratch, 'budget.db'),
      AGENT_KEY: world.devnet.accounts[1]!.privateKey,
    })
    expect(JSON.parse(stdout.trim())).toMatchObject({ spent: '0', remaining: '20' })
  })

  test('redis README: a gate on a Redis store (a real redis-server)', async (context) => {
    const found = spawnSync('redis-server', ['--version']).status === 0
    if (!found && process.env.CI) throw new Error('redis-server is not installed')
    if (!found) return context.skip()
    const port = await freePort()
    const redis = spawn('redis-server', ['--port', String(port), '--save', '', '--appendonly', 'no'])
    world.stops.push(async () => {
      redis.kill('SIGTERM')
      if (redis.exitCode === null) await once(redis, 'exit')
    })
    await new Promise<void>((resolve) => {
      let output = ''
      redis.stdout.on('data', (chunk: Buffer) => {
        output += chunk
        if (output.includes('Ready to accept connections')) resolve()
      })
    })
    const { stdout } = await runExample('src/redis-store.ts', {
      RPC_URL: world.devnet.rpcUrl,
      REDIS_URL: `redis://127.0.0.1:${port}`,
    })
    expect(stdout.trim()).toBe('402')
    const ledger = await runExample('src/redis-ledger.ts', {
      REDIS_URL: `redis://127.0.0.1:${port}`,
      AGENT_KEY: world.devnet.accounts[1]!.privateKey,
    })
    expect(JSON.parse(ledger.stdout.trim())).toMatchObject({ spent: '0', remaining: '20' })
  })

  test('demo-api README: the demo API from code answers an unpaid search with 402', async () => {
    const { stdout } = await runExample('src/demo-api.ts', {})
    expect(stdout.trim()).toBe('402')
  })
})
