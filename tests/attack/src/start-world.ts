import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { type Devnet, startDevnet } from '@tollgate/testkit'
import { type Address, encodeAbiParameters, type Hex, keccak256, parseAbiItem, toHex } from 'viem'
import { generatePrivateKey, type PrivateKeyAccount, privateKeyToAccount } from 'viem/accounts'
// The Redis package's own harness, imported by path: one copy of how tests run redis-server.
import { type RedisServer, startRedisServer } from '../../../packages/redis/test/redis-server.js'
import type { MerchantEvent } from './merchant-server.js'
import { type Merchant, type StartMerchantOptions, startMerchant } from './start-merchant.js'
import { type RpcProxy, startRpcProxy } from './start-rpc-proxy.js'

/** The secret both merchant instances share. */
export const SECRET = 'attack-suite-secret-attack-suite-secret-0'
/** The origin the merchants are configured with. */
export const PUBLIC_URL = 'http://shop.example'
// TestUsdc's storage: name, symbol, version, owner, totalSupply, then `balanceOf` at slot 5.
const BALANCE_SLOT = 5n
const transferEvent = parseAbiItem('event Transfer(address indexed from, address indexed to, uint256 value)')

/** A fresh account funded with ether and devnet USDC. */
export type Payer = { address: Address; privateKey: Hex; account: PrivateKeyAccount }

/** Everything the cases share: one devnet, one Redis, one RPC proxy, two merchant instances. */
export type World = {
  devnet: Devnet
  /** The shared Redis, appending every write to disk: a restart keeps what was spent. */
  redis: RedisServer
  proxy: RpcProxy
  /** Two instances of one gate on one Redis; restarted in place by {@link World.restart}. */
  merchants: [Merchant, Merchant]
  payTo: Address
  usdc: Address
  /** The warnings both gates reported to their logger so far. */
  warnings: string[]
  /** Handler starts counted per case id (the `x-attack-case` header), across instances. */
  handlerRuns(caseId: string): number
  /** The refusals the gates reported for a case id, as `code: message`, across instances. */
  rejections(caseId: string): string[]
  /** Resolves once a handler of `caseId` reached `phase` `count` times. */
  waitForHandler(caseId: string, phase: 'start' | 'end', count?: number): Promise<void>
  /** A new account with `usdc` atomic units of USDC (as much in `usdc18`) and some ether. */
  newPayer(usdc?: bigint): Promise<Payer>
  /** USDC atomic units `from` sent to the merchant, read from `Transfer` events on chain. */
  paidToMerchant(from: Address): Promise<bigint>
  /** Kills instance `index` with SIGKILL and starts it again on the same port. */
  restart(index: 0 | 1): Promise<void>
  /** Kills Redis with SIGKILL, then (by `restartRedis`) starts it on the same port and files. */
  killRedis(): Promise<void>
  restartRedis(): Promise<void>
  /** Lets the held handlers of `caseId` (and `attempt`, when requests name one) go on, on both instances. */
  release(caseId: string, attempt?: string): void
  /** Runs both gates' clocks `offsetMs` ahead of this machine's; resolves once both confirmed. */
  setClock(offsetMs: number): Promise<void>
  stop(): Promise<void>
}

/** Options of {@link startWorld}. */
export type StartWorldOptions = {
  /** The merchant server both instances run (see {@link StartMerchantOptions.script}); default the suite's. */
  script?: string
  /** The origin the merchants are configured with. Default {@link PUBLIC_URL}. */
  publicUrl?: string
}

/**
 * Starts the world the cases run in: anvil with the devnet tokens, a persistent `redis-server`,
 * the RPC proxy in front of anvil, and two merchant processes (settlers: accounts 7 and 8; paid to
 * account 9).
 *
 * @example const world = await startWorld()
 * @throws {Error} when a component does not start
 */
export async function startWorld(options: StartWorldOptions = {}): Promise<World> {
  const directory = mkdtempSync(join(tmpdir(), 'tollgate-attack-'))
  const [devnet, redis] = await Promise.all([
    startDevnet({ accounts: 10 }),
    startRedisServer({ persistDirectory: directory }),
  ])
  const proxy = await startRpcProxy(devnet.rpcUrl)
  const payTo = devnet.accounts[9]!.address
  const usdc = devnet.tokens.usdc.address
  const starts = new Map<string, number>()
  const ends = new Map<string, number>()
  const waiters = new Set<() => void>()
  const warnings: string[] = []
  const rejections = new Map<string, string[]>()
  const onRejection = (event: Extract<MerchantEvent, { type: 'rejection' }>) => {
    rejections.set(event.caseId, [...(rejections.get(event.caseId) ?? []), `${event.code}: ${event.message}`])
  }
  const onHandler = (event: Extract<MerchantEvent, { type: 'handler' }>) => {
    const counts = event.phase === 'start' ? starts : ends
    counts.set(event.caseId, (counts.get(event.caseId) ?? 0) + 1)
    for (const waiter of [...waiters]) waiter()
  }
  const base = (settler: number): StartMerchantOptions => ({
    rpcUrl: proxy.url,
    redisUrl: redis.url,
    chainId: devnet.chainId,
    asset: usdc,
    payTo,
    secret: SECRET,
    settlerKey: devnet.accounts[settler]!.privateKey,
    publicUrl: options.publicUrl ?? PUBLIC_URL,
    ...(options.script === undefined ? {} : { script: options.script }),
    onHandler,
    onWarning: (message) => warnings.push(message),
    onRejection,
  })
  const merchants = (await Promise.all([startMerchant(base(7)), startMerchant(base(8))])) as [
    Merchant,
    Merchant,
  ]

  // Funding by storage write: no transaction, so payers never wait on one funding account's nonce.
  const setBalance = async (token: Address, owner: Address, amount: bigint) => {
    const slot = keccak256(
      encodeAbiParameters([{ type: 'address' }, { type: 'uint256' }], [owner, BALANCE_SLOT]),
    )
    await devnet.testClient.setStorageAt({ address: token, index: slot, value: toHex(amount, { size: 32 }) })
  }

  const world: World = {
    devnet,
    redis,
    proxy,
    merchants,
    payTo,
    usdc,
    warnings,
    handlerRuns: (caseId) => starts.get(caseId) ?? 0,
    rejections: (caseId) => rejections.get(caseId) ?? [],
    waitForHandler: (caseId, phase, count = 1) =>
      new Promise((resolve) => {
        const counts = phase === 'start' ? starts : ends
        const check = () => {
          if ((counts.get(caseId) ?? 0) >= count) {
            waiters.delete(check)
            resolve()
          }
        }
        waiters.add(check)
        check()
      }),
    async newPayer(amount = 1_000_000n) {
      const privateKey = generatePrivateKey()
      const account = privateKeyToAccount(privateKey)
      await Promise.all([
        devnet.testClient.setBalance({ address: account.address, value: 10n ** 18n }),
        setBalance(usdc, account.address, amount),
        setBalance(devnet.tokens.usdc18.address, account.address, amount * 10n ** 12n),
      ])
      return { address: account.address, privateKey, account }
    },
    async paidToMerchant(from) {
      const logs = await devnet.publicClient.getLogs({
        address: usdc,
        event: transferEvent,
        args: { from, to: payTo },
        fromBlock: 0n,
      })
      return logs.reduce((sum, log) => sum + (log.args.value ?? 0n), 0n)
    },
    async restart(index) {
      const old = merchants[index]
      await old.kill()
      merchants[index] = await startMerchant({ ...base(index === 0 ? 7 : 8), port: old.port })
    },
    killRedis: () => world.redis.kill(),
    async restartRedis() {
      await world.redis.kill()
      world.redis = await startRedisServer({ persistDirectory: directory, port: world.redis.port })
    },
    release(caseId, attempt = '') {
      for (const merchant of merchants) merchant.command({ type: 'release', caseId: `${caseId}#${attempt}` })
    },
    async setClock(offsetMs) {
      await Promise.all(merchants.map((merchant) => merchant.setClock(offsetMs)))
    },
    async stop() {
      await Promise.all(merchants.map((merchant) => merchant.kill()))
      await proxy.close()
      await world.redis.kill()
      await devnet.stop()
      rmSync(directory, { recursive: true, force: true })
    },
  }
  return world
}
