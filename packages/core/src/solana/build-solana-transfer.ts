import {
  AccountRole,
  type Address,
  getAddressDecoder,
  getBase64Encoder,
  type Instruction,
  type setTransactionMessageLifetimeUsingBlockhash,
} from '@solana/kit'
import { getTransferSolInstruction } from '@solana-program/system'
import {
  getCreateAssociatedTokenIdempotentInstruction,
  getTransferCheckedInstruction,
} from '@solana-program/token'
import { NATIVE_ASSET } from '../chains/types.js'
import { TollgateError } from '../errors/tollgate-error.js'
import type { SendTransferInput } from '../scheme/wallet.js'
import { associatedTokenAccounts } from './associated-token-accounts.js'
import {
  COMPUTE_BUDGET_PROGRAM,
  TOKEN_ACCOUNT_SIZE,
  TOKEN_PROGRAM,
  TOKEN_PROGRAMS,
} from './solana-programs.js'
import type { SolanaWalletRuntime } from './solana-wallet-runtime.js'

const MAX_U64 = 2n ** 64n - 1n

/** The instructions and blockhash lifetime of a transfer, ready to sign. @internal */
export type SolanaTransfer = {
  instructions: Instruction[]
  lifetime: {
    blockhash: Parameters<typeof setTransactionMessageLifetimeUsingBlockhash>[0]['blockhash']
    lastValidBlockHeight: bigint
  }
}

/**
 * Builds the instructions of a `tx` payment: a System transfer of SOL, or an SPL `transferChecked`
 * between associated token accounts (creating payTo's, for rent, only if `approveExtraCost` agrees).
 * @example const { instructions, lifetime } = await buildSolanaTransfer(runtime, input)
 * @throws {TollgateError} `invalid_payment_requirements`, `no_payable_option`, `payment_failed`,
 * `wallet_insufficient_funds`, `policy_approval_declined`, `wallet_unavailable`
 * @internal
 */
export async function buildSolanaTransfer(
  runtime: SolanaWalletRuntime,
  input: SendTransferInput,
): Promise<SolanaTransfer> {
  const { signer, networks, rpc, commitment, call, checkCluster, supports, options } = runtime
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
  const amount = parseU64Amount(requirements.amount)
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
    const built = await tokenTransfer(runtime, input, { amount, payTo, network })
    lifetime = built.lifetime
    instructions.push(...built.instructions)
  }
  if (options.computeUnitPrice !== undefined) {
    instructions.unshift(
      ...computeBudgetInstructions(options.computeUnitLimit ?? 50_000, options.computeUnitPrice),
    )
  }
  return { instructions, lifetime }
}

// An SPL transferChecked between associated token accounts, creating payTo's if approved.
async function tokenTransfer(
  runtime: SolanaWalletRuntime,
  input: SendTransferInput,
  { amount, payTo, network }: { amount: bigint; payTo: Address; network: string },
): Promise<SolanaTransfer> {
  const { signer, rpc, commitment, call, checkCluster } = runtime
  const { asset, signal } = input
  const instructions: Instruction[] = []
  const mint = asset.address as Address
  const [[payToToken, payToToken2022], [sourceToken, sourceToken2022]] = await Promise.all([
    associatedTokenAccounts(payTo, mint),
    associatedTokenAccounts(signer.address, mint),
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
  const lifetime = latest.value
  const [mintAccount, ...tokenAccounts] = accounts.value
  if (mintAccount === null || mintAccount === undefined || !TOKEN_PROGRAMS.includes(mintAccount.owner)) {
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
  return { instructions, lifetime }
}

function parseU64Amount(value: unknown): bigint {
  if (typeof value !== 'string' || !/^[1-9]\d{0,19}$/.test(value) || BigInt(value) > MAX_U64) {
    throw new TollgateError(
      'invalid_payment_requirements',
      `The amount "${String(value).slice(0, 32)}" is not a u64 of atomic units.`,
    )
  }
  return BigInt(value)
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
