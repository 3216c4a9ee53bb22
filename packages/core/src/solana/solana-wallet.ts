import {
  AccountRole,
  type Address,
  appendTransactionMessageInstructions,
  createSignableMessage,
  createSolanaRpc,
  createTransactionMessage,
  getAddressDecoder,
  getBase58Decoder,
  getBase64EncodedWireTransaction,
  getBase64Encoder,
  getSignatureFromTransaction,
  type Instruction,
  isAddress,
  isSolanaError,
  pipe,
  type Signature,
  SOLANA_ERROR__INSTRUCTION_ERROR__CUSTOM,
  SOLANA_ERROR__INSTRUCTION_ERROR__INSUFFICIENT_FUNDS,
  SOLANA_ERROR__JSON_RPC__SERVER_ERROR_SEND_TRANSACTION_PREFLIGHT_FAILURE,
  SOLANA_ERROR__TRANSACTION_ERROR__ACCOUNT_NOT_FOUND,
  SOLANA_ERROR__TRANSACTION_ERROR__INSUFFICIENT_FUNDS_FOR_FEE,
  setTransactionMessageFeePayerSigner,
  setTransactionMessageLifetimeUsingBlockhash,
  signTransactionMessageWithSigners,
} from '@solana/kit'
import { getTransferSolInstruction } from '@solana-program/system'
import {
  findAssociatedTokenPda,
  getCreateAssociatedTokenIdempotentInstruction,
  getTransferCheckedInstruction,
} from '@solana-program/token'
import { SOLANA_MAINNET } from '../chains/default-chains.js'
import { NATIVE_ASSET } from '../chains/types.js'
import type { TollgateErrorCode } from '../errors/error-codes.js'
import { TollgateError } from '../errors/tollgate-error.js'
import type { PaymentRequirements } from '../protocol/types.js'
import type { Wallet } from '../scheme/wallet.js'
import type { SolanaCommitment } from './create-solana-tx-verifier.js'
import { decodeBase58Bytes } from './decode-base58-bytes.js'
import {
  COMPUTE_BUDGET_PROGRAM,
  TOKEN_ACCOUNT_SIZE,
  TOKEN_PROGRAM,
  TOKEN_PROGRAMS,
} from './solana-programs.js'
import type { SolanaSigner } from './solana-signer.js'

/** Options of {@link solanaWallet}. */
export type SolanaWalletOptions = {
  /**
   * The paying key. By default a non-extractable WebCrypto key from `generateSolanaSigner()` or
   * `createSolanaSignerFromSeed()`; any `@solana/kit` signer of transactions and messages (a
   * remote or hardware signer) fits.
   */
  signer: SolanaSigner
  /** JSON-RPC endpoint of a node of the cluster the wallet pays on. */
  rpcUrl: string
  /**
   * CAIP-2 ids of the clusters this wallet pays on. Default `[SOLANA_MAINNET]`. Before its first
   * transfer on a network, the wallet checks that `rpcUrl` serves it (genesis hash).
   */
  networks?: readonly string[]
  /** How final a transfer must be for `confirmTransfer`; also the preflight commitment. Default `confirmed`. */
  commitment?: SolanaCommitment
  /** Milliseconds before one RPC call fails. Default 10,000. */
  rpcTimeoutMs?: number
  /** Milliseconds between status polls in `confirmTransfer`. Default 400 (one slot). */
  pollingIntervalMs?: number
  /** Priority fee in micro-lamports per compute unit; when set, a compute unit limit is set too. Default none. */
  computeUnitPrice?: bigint
  /** Compute units requested when `computeUnitPrice` is set. Default 50,000 (enough for creating a token account and a transfer). */
  computeUnitLimit?: number
}

const MAX_REMEMBERED = 1024
const PROOF_PREFIX = 'Tollgate payment proof\nnetwork: '
const MAX_PROOF_BYTES = 4096
const MAX_U64 = 2n ** 64n - 1n

/**
 * A wallet that pays `tx` requirements on Solana: SOL with a System transfer, tokens with an SPL
 * `transferChecked` from the payer's associated token account to payTo's (SPL Token or
 * Token-2022). When payTo has no token account yet, creating it costs rent: the wallet asks
 * `approveExtraCost` first and adds an idempotent create instruction only if approved. The key
 * never leaves the signer: not in return values, errors or logs.
 *
 * @example
 * const wallet = solanaWallet({ signer: await generateSolanaSigner(), rpcUrl, networks: [SOLANA_DEVNET] })
 * const { transaction } = await wallet.sendTransfer({ requirements, asset, approveExtraCost: async () => true })
 * await wallet.confirmTransfer({ requirements, transaction, confirmations: 1, timeoutMs: 30_000 })
 * @throws {TollgateError} `config_invalid` from the factory; from its methods `invalid_payment_requirements`,
 * `no_payable_option`, `policy_approval_declined`, `wallet_insufficient_funds`, `wallet_unavailable`, `payment_failed`
 */
export function solanaWallet(options: SolanaWalletOptions): Wallet {
  const { signer } = options
  if (
    typeof signer !== 'object' ||
    signer === null ||
    typeof signer.address !== 'string' ||
    !isAddress(signer.address) ||
    typeof signer.signTransactions !== 'function' ||
    typeof signer.signMessages !== 'function'
  ) {
    throw new TollgateError('config_invalid', 'The Solana signer must sign transactions and messages.')
  }
  const networks = new Set(options.networks ?? [SOLANA_MAINNET])
  for (const network of networks) solanaReference(network)
  const commitment = options.commitment ?? 'confirmed'
  if (commitment !== 'confirmed' && commitment !== 'finalized') {
    throw new TollgateError(
      'config_invalid',
      `Commitment "${String(commitment)}" is not confirmed or finalized.`,
    )
  }
  const timeoutMs = options.rpcTimeoutMs ?? 10_000
  const pollingIntervalMs = options.pollingIntervalMs ?? 400
  const rpc = createSolanaRpc(options.rpcUrl)
  // Last valid block height of each transaction sent: past it, a transaction that never landed never will.
  const expiries = new Map<string, bigint>()
  const clusterChecks = new Map<string, Promise<void>>()

  const deadline = (signal?: AbortSignal): AbortSignal =>
    signal === undefined
      ? AbortSignal.timeout(timeoutMs)
      : AbortSignal.any([signal, AbortSignal.timeout(timeoutMs)])
  /** Runs one RPC call with the wallet's timeout; any failure is `wallet_unavailable`. */
  const call = async <T>(
    request: { send(config?: { abortSignal?: AbortSignal }): Promise<T> },
    signal?: AbortSignal,
  ) => {
    try {
      return await request.send({ abortSignal: deadline(signal) })
    } catch (error) {
      signal?.throwIfAborted()
      throw new TollgateError('wallet_unavailable', "The wallet's RPC node did not answer.", {
        retryAfter: 2,
        cause: error,
      })
    }
  }
  const checkCluster = (network: string, signal?: AbortSignal): Promise<void> => {
    let check = clusterChecks.get(network)
    if (check === undefined) {
      check = call(rpc.getGenesisHash(), signal).then((genesis) => {
        if (!genesis.startsWith(solanaReference(network))) {
          throw new TollgateError(
            'wallet_unavailable',
            `The wallet's RPC node serves another cluster than ${network}.`,
            {
              details: { network, genesisHash: genesis },
            },
          )
        }
      })
      clusterChecks.set(network, check)
      // Only a confirmed match is remembered.
      check.catch(() => clusterChecks.delete(network))
    }
    return check
  }

  const supports = (requirements: PaymentRequirements): boolean =>
    requirements.scheme === 'tx' &&
    networks.has(requirements.network) &&
    typeof requirements.payTo === 'string' &&
    isAddress(requirements.payTo) &&
    (requirements.asset === NATIVE_ASSET ||
      (typeof requirements.asset === 'string' && isAddress(requirements.asset)))

  const wallet: Wallet = {
    specificationVersion: 'v1',
    supports,
    address: () => signer.address,

    async sendTransfer(input) {
      const { requirements, asset, signal } = input
      if (!supports(requirements)) {
        throw new TollgateError(
          networks.has(requirements.network) ? 'invalid_payment_requirements' : 'no_payable_option',
          `This wallet cannot pay a ${String(requirements.scheme)} requirement on ${String(requirements.network).slice(0, 64)}.`,
        )
      }
      if (asset.network !== requirements.network || asset.address !== requirements.asset) {
        throw new TollgateError(
          'invalid_payment_requirements',
          'The asset does not match the requirements being paid.',
        )
      }
      const amount = parseAmount(requirements.amount)
      const payTo = requirements.payTo as Address
      const network = requirements.network
      const instructions: Instruction[] = []
      let lifetime: {
        blockhash: Parameters<typeof setTransactionMessageLifetimeUsingBlockhash>[0]['blockhash']
        lastValidBlockHeight: bigint
      }

      if (asset.address === NATIVE_ASSET) {
        const [latest] = await Promise.all([
          call(rpc.getLatestBlockhash({ commitment }), signal),
          checkCluster(network, signal),
        ])
        lifetime = latest.value
        instructions.push(
          withReference(getTransferSolInstruction({ source: signer, destination: payTo, amount })),
        )
      } else {
        const mint = asset.address as Address
        const [[payToToken, payToToken2022], [sourceToken, sourceToken2022]] = await Promise.all([
          associatedAccounts(payTo, mint),
          associatedAccounts(signer.address, mint),
        ])
        const [accounts, latest] = await Promise.all([
          call(
            rpc.getMultipleAccounts([mint, payToToken, payToToken2022, sourceToken, sourceToken2022], {
              encoding: 'base64',
              commitment,
            }),
            signal,
          ),
          call(rpc.getLatestBlockhash({ commitment }), signal),
          checkCluster(network, signal),
        ])
        lifetime = latest.value
        const [mintAccount, ...tokenAccounts] = accounts.value
        if (
          mintAccount === null ||
          mintAccount === undefined ||
          !TOKEN_PROGRAMS.includes(mintAccount.owner)
        ) {
          throw new TollgateError('payment_failed', `The mint ${mint} does not exist on ${network}.`, {
            details: { asset: mint, network },
          })
        }
        const tokenProgram = mintAccount.owner
        const decimals = bytesOf(mintAccount.data)[44]
        if (decimals !== asset.decimals) {
          throw new TollgateError(
            'payment_failed',
            `The mint ${mint} has ${decimals} decimals; the asset registry says ${asset.decimals}.`,
            { details: { asset: mint, decimals, expected: asset.decimals } },
          )
        }
        const offset = tokenProgram === TOKEN_PROGRAM ? 0 : 1
        const destination = offset === 0 ? payToToken : payToToken2022
        const source = offset === 0 ? sourceToken : sourceToken2022
        const sourceAccount = tokenAccounts[2 + offset]
        const balance = sourceAccount ? tokenAmountOf(bytesOf(sourceAccount.data)) : 0n
        if (balance < amount) {
          throw new TollgateError(
            'wallet_insufficient_funds',
            `The wallet holds ${balance} atomic units of ${mint}; ${amount} are needed.`,
            { details: { asset: mint, balance, required: amount } },
          )
        }
        if (!tokenAccounts[offset]) {
          // payTo has no token account yet: creating it costs rent, paid by this wallet, if the policy agrees.
          const size = TOKEN_ACCOUNT_SIZE[tokenProgram as keyof typeof TOKEN_ACCOUNT_SIZE]
          const rent = await call(rpc.getMinimumBalanceForRentExemption(BigInt(size)), signal)
          const cost = { reason: 'create_token_account', network, asset: NATIVE_ASSET, amount: BigInt(rent) }
          if (!(await input.approveExtraCost(cost))) {
            throw new TollgateError(
              'policy_approval_declined',
              `Paying requires creating the recipient's token account for ${rent} lamports of rent, which was declined.`,
              { details: cost },
            )
          }
          instructions.push(
            getCreateAssociatedTokenIdempotentInstruction({
              payer: signer,
              ata: destination,
              owner: payTo,
              mint,
              tokenProgram,
            }),
          )
        }
        instructions.push(
          withReference(
            getTransferCheckedInstruction(
              { source, mint, destination, authority: signer, amount, decimals: asset.decimals },
              { programAddress: tokenProgram },
            ),
          ),
        )
      }
      if (options.computeUnitPrice !== undefined) {
        instructions.unshift(
          ...computeBudgetInstructions(options.computeUnitLimit ?? 50_000, options.computeUnitPrice),
        )
      }

      signal?.throwIfAborted()
      const message = pipe(
        createTransactionMessage({ version: 0 }),
        (draft) => setTransactionMessageFeePayerSigner(signer, draft),
        (draft) => setTransactionMessageLifetimeUsingBlockhash(lifetime, draft),
        (draft) => appendTransactionMessageInstructions(instructions, draft),
      )
      const transaction = await signTransactionMessageWithSigners(message)
      const signature = getSignatureFromTransaction(transaction)
      remember(expiries, signature, lifetime.lastValidBlockHeight)
      const wire = getBase64EncodedWireTransaction(transaction)
      // The signature is the id: the caller records it before the transfer can exist.
      await input.onSigned?.({ transaction: signature, raw: wire })
      try {
        // Not the caller's signal: once broadcasting starts, the id must reach the caller.
        await rpc
          .sendTransaction(wire, {
            encoding: 'base64',
            preflightCommitment: commitment,
          })
          .send({ abortSignal: AbortSignal.timeout(timeoutMs) })
      } catch (error) {
        if (jsonRpcCode(error) !== undefined) throw refusal(error, signature)
        if (connectionRefused(error)) {
          throw new TollgateError(
            'wallet_unavailable',
            "The wallet's RPC node is unreachable; nothing was sent.",
            {
              retryAfter: 2,
              cause: error,
            },
          )
        }
        // Maybe broadcast: report the id, and let confirmTransfer find out (it lands or expires).
      }
      return { transaction: signature }
    },

    async confirmTransfer(input) {
      const transaction = input.transaction
      if (decodeBase58Bytes(transaction, 64) === undefined) {
        throw new TollgateError('invalid_payload', 'The transaction is not a base58 Solana signature.')
      }
      const expiry = expiries.get(transaction)
      const giveUpAt = Date.now() + input.timeoutMs
      let lastError: unknown
      for (;;) {
        input.signal?.throwIfAborted()
        let status: StatusValue | undefined
        let height: bigint | undefined
        try {
          const [statuses, blockHeight] = await Promise.all([
            call(rpc.getSignatureStatuses([transaction as Signature]), input.signal),
            expiry === undefined ? undefined : call(rpc.getBlockHeight({ commitment }), input.signal),
          ])
          status = statuses.value[0] ?? null
          height = blockHeight
        } catch (error) {
          input.signal?.throwIfAborted()
          lastError = error
        }
        if (status !== undefined && status !== null) {
          if (status.err !== null) {
            throw new TollgateError('payment_failed', `Transaction ${transaction} failed on chain.`, {
              details: { transaction, error: boundedJson(status.err) },
            })
          }
          if (
            status.confirmationStatus === 'finalized' ||
            (commitment === 'confirmed' && status.confirmationStatus === 'confirmed')
          ) {
            return { hints: {} }
          }
        } else if (status === null && expiry !== undefined && height !== undefined && height > expiry) {
          // Its blockhash expired: look once more, across history, before calling it lost.
          const again = await call(
            rpc.getSignatureStatuses([transaction as Signature], { searchTransactionHistory: true }),
            input.signal,
          )
          if (again.value[0] === null || again.value[0] === undefined) {
            throw new TollgateError(
              'payment_failed',
              `Transaction ${transaction} expired without landing; nothing was paid.`,
              {
                details: { transaction, reason: 'expired' },
              },
            )
          }
          continue
        }
        const remaining = giveUpAt - Date.now()
        if (remaining <= 0) {
          throw new TollgateError(
            'wallet_unavailable',
            `Transaction ${transaction} was not ${commitment} within ${input.timeoutMs} ms; it may still land.`,
            {
              retryAfter: 2,
              details: { transaction },
              ...(lastError === undefined ? {} : { cause: lastError }),
            },
          )
        }
        await sleep(Math.min(pollingIntervalMs, remaining), input.signal)
      }
    },

    async signProof(input) {
      const message = input.message
      if (
        typeof message !== 'string' ||
        !message.startsWith(`${PROOF_PREFIX}${input.network}\n`) ||
        new TextEncoder().encode(message).length > MAX_PROOF_BYTES
      ) {
        // Signing arbitrary bytes with a payment key could sign something else entirely.
        throw new TollgateError('invalid_payload', 'The wallet signs Tollgate payment proofs only.')
      }
      const [signatures] = await signer.signMessages([createSignableMessage(message)])
      const signature = signatures?.[signer.address]
      if (signature === undefined)
        throw new TollgateError('wallet_unavailable', 'The signer did not sign the proof.')
      return getBase58Decoder().decode(signature)
    },

    async balance(network, asset) {
      if (!networks.has(network)) {
        throw new TollgateError(
          'no_payable_option',
          `This wallet does not pay on ${String(network).slice(0, 64)}.`,
        )
      }
      if (asset === NATIVE_ASSET) {
        return BigInt((await call(rpc.getBalance(signer.address, { commitment }))).value)
      }
      if (!isAddress(asset))
        throw new TollgateError('asset_unknown', `"${String(asset).slice(0, 64)}" is not a Solana mint.`)
      const associated = await associatedAccounts(signer.address, asset)
      let accounts: readonly { pubkey: Address; account: { data: unknown } }[]
      try {
        const answer = await rpc
          .getTokenAccountsByOwner(signer.address, { mint: asset }, { encoding: 'jsonParsed', commitment })
          .send({ abortSignal: deadline() })
        accounts = answer.value
      } catch (error) {
        // The node answers "could not find mint" for a mint that does not exist: nothing is held.
        if (jsonRpcCode(error) === -32602) return 0n
        throw new TollgateError('wallet_unavailable', "The wallet's RPC node did not answer.", {
          retryAfter: 2,
          cause: error,
        })
      }
      const entry = accounts.find((account) => associated.includes(account.pubkey))
      const amount = (
        entry?.account.data as { parsed?: { info?: { tokenAmount?: { amount?: unknown } } } } | undefined
      )?.parsed?.info?.tokenAmount?.amount
      return typeof amount === 'string' && /^\d{1,20}$/.test(amount) ? BigInt(amount) : 0n
    },
  }
  return wallet
}

type StatusValue = { err: unknown; confirmationStatus: string | null } | null

function solanaReference(network: string): string {
  const match = /^solana:([1-9A-HJ-NP-Za-km-z]{32})$/.exec(String(network))
  if (match === null)
    throw new TollgateError('config_invalid', `"${String(network).slice(0, 64)}" is not a Solana network.`)
  return match[1] as string
}

function parseAmount(value: unknown): bigint {
  if (typeof value !== 'string' || !/^[1-9]\d{0,19}$/.test(value) || BigInt(value) > MAX_U64) {
    throw new TollgateError(
      'invalid_payment_requirements',
      `The amount "${String(value).slice(0, 32)}" is not a u64 of atomic units.`,
    )
  }
  return BigInt(value)
}

async function associatedAccounts(owner: Address, mint: Address): Promise<[Address, Address]> {
  const [token, token2022] = await Promise.all(
    TOKEN_PROGRAMS.map(
      async (tokenProgram) =>
        (await findAssociatedTokenPda({ owner, mint, tokenProgram: tokenProgram as Address }))[0],
    ),
  )
  return [token as Address, token2022 as Address]
}

function bytesOf(data: readonly [string, string] | unknown): Uint8Array {
  const [encoded] = data as [string, string]
  return new Uint8Array(getBase64Encoder().encode(encoded))
}

function tokenAmountOf(data: Uint8Array): bigint {
  if (data.length < 72) return 0n
  return new DataView(data.buffer, data.byteOffset, data.byteLength).getBigUint64(64, true)
}

/**
 * Adds a random read-only account to a transfer (a Solana Pay "reference"). Ed25519 signatures are
 * deterministic: without it, two equal payments built on the same blockhash would be one and the
 * same transaction, and only one would ever land. Both programs ignore the extra account.
 */
function withReference<T extends Instruction>(instruction: T): T {
  const reference = getAddressDecoder().decode(crypto.getRandomValues(new Uint8Array(32)))
  return {
    ...instruction,
    accounts: [...(instruction.accounts ?? []), { address: reference, role: AccountRole.READONLY }],
  }
}

function computeBudgetInstructions(limit: number, price: bigint): Instruction[] {
  const limitData = new Uint8Array(5)
  limitData[0] = 2
  new DataView(limitData.buffer).setUint32(1, limit, true)
  const priceData = new Uint8Array(9)
  priceData[0] = 3
  new DataView(priceData.buffer).setBigUint64(1, price, true)
  const programAddress = COMPUTE_BUDGET_PROGRAM as Address
  return [
    { programAddress, accounts: [], data: limitData },
    { programAddress, accounts: [], data: priceData },
  ]
}

function remember(expiries: Map<string, bigint>, signature: string, lastValidBlockHeight: bigint): void {
  expiries.set(signature, lastValidBlockHeight)
  if (expiries.size > MAX_REMEMBERED) {
    const oldest = expiries.keys().next().value
    if (oldest !== undefined) expiries.delete(oldest)
  }
}

/** The JSON-RPC error code when the node answered with an error (a definite refusal), else undefined. */
function jsonRpcCode(error: unknown): number | undefined {
  if (!isSolanaError(error)) return undefined
  const code = (error.context as { __code?: unknown }).__code
  return typeof code === 'number' && code <= -32000 && code >= -32768 ? code : undefined
}

function connectionRefused(error: unknown): boolean {
  let current: unknown = error
  for (let depth = 0; depth < 4 && typeof current === 'object' && current !== null; depth++) {
    if ((current as { code?: unknown }).code === 'ECONNREFUSED') return true
    current = (current as { cause?: unknown }).cause
  }
  return false
}

/** Maps a node's refusal of a transaction (preflight failure and the like) to a payer-facing error. */
function refusal(error: unknown, signature: string): TollgateError {
  let code: TollgateErrorCode = 'payment_failed'
  const context = isSolanaError(error) ? (error.context as { logs?: unknown }) : {}
  if (isSolanaError(error, SOLANA_ERROR__JSON_RPC__SERVER_ERROR_SEND_TRANSACTION_PREFLIGHT_FAILURE)) {
    const cause = error.cause
    if (
      isSolanaError(cause, SOLANA_ERROR__TRANSACTION_ERROR__INSUFFICIENT_FUNDS_FOR_FEE) ||
      isSolanaError(cause, SOLANA_ERROR__TRANSACTION_ERROR__ACCOUNT_NOT_FOUND) ||
      isSolanaError(cause, SOLANA_ERROR__INSTRUCTION_ERROR__INSUFFICIENT_FUNDS) ||
      // Custom error 1 is InsufficientFunds in the token programs and in the System program.
      (isSolanaError(cause, SOLANA_ERROR__INSTRUCTION_ERROR__CUSTOM) && cause.context.code === 1)
    ) {
      code = 'wallet_insufficient_funds'
    }
  }
  const logs = Array.isArray(context.logs)
    ? context.logs.slice(-5).map((line) => String(line).slice(0, 200))
    : undefined
  return new TollgateError(
    code,
    code === 'wallet_insufficient_funds'
      ? 'The wallet cannot afford the transfer and its fee; nothing was sent.'
      : 'The network refused the transfer before broadcasting it; nothing was sent.',
    {
      cause: error,
      details: {
        transaction: signature,
        rpcError: jsonRpcCode(error),
        ...(logs === undefined ? {} : { logs }),
      },
    },
  )
}

function boundedJson(value: unknown): string {
  const text =
    JSON.stringify(value, (_key, entry) => (typeof entry === 'bigint' ? entry.toString() : entry)) ??
    String(value)
  return text.length > 200 ? `${text.slice(0, 200)}…` : text
}

function sleep(milliseconds: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', abort)
      resolve()
    }, milliseconds)
    const abort = () => {
      clearTimeout(timer)
      reject(signal?.reason)
    }
    signal?.addEventListener('abort', abort, { once: true })
  })
}
