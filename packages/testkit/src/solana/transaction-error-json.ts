// litesvm reports errors as native objects; the RPC reports them as serde JSON. These tables are
// the variant order of `TransactionError` and `InstructionError` (solana-sdk), as litesvm numbers them.
const transactionErrors = [
  'AccountInUse',
  'AccountLoadedTwice',
  'AccountNotFound',
  'ProgramAccountNotFound',
  'InsufficientFundsForFee',
  'InvalidAccountForFee',
  'AlreadyProcessed',
  'BlockhashNotFound',
  'CallChainTooDeep',
  'MissingSignatureForFee',
  'InvalidAccountIndex',
  'SignatureFailure',
  'InvalidProgramForExecution',
  'SanitizeFailure',
  'ClusterMaintenance',
  'AccountBorrowOutstanding',
  'WouldExceedMaxBlockCostLimit',
  'UnsupportedVersion',
  'InvalidWritableAccount',
  'WouldExceedMaxAccountCostLimit',
  'WouldExceedAccountDataBlockLimit',
  'TooManyAccountLocks',
  'AddressLookupTableNotFound',
  'InvalidAddressLookupTableOwner',
  'InvalidAddressLookupTableData',
  'InvalidAddressLookupTableIndex',
  'InvalidRentPayingAccount',
  'WouldExceedMaxVoteCostLimit',
  'WouldExceedAccountDataTotalLimit',
  'MaxLoadedAccountsDataSizeExceeded',
  'ResanitizationNeeded',
  'InvalidLoadedAccountsDataSizeLimit',
  'UnbalancedTransaction',
  'ProgramCacheHitMaxLimit',
  'CommitCancelled',
] as const

const instructionErrors = [
  'GenericError',
  'InvalidArgument',
  'InvalidInstructionData',
  'InvalidAccountData',
  'AccountDataTooSmall',
  'InsufficientFunds',
  'IncorrectProgramId',
  'MissingRequiredSignature',
  'AccountAlreadyInitialized',
  'UninitializedAccount',
  'UnbalancedInstruction',
  'ModifiedProgramId',
  'ExternalAccountLamportSpend',
  'ExternalAccountDataModified',
  'ReadonlyLamportChange',
  'ReadonlyDataModified',
  'DuplicateAccountIndex',
  'ExecutableModified',
  'RentEpochModified',
  'NotEnoughAccountKeys',
  'AccountDataSizeChanged',
  'AccountNotExecutable',
  'AccountBorrowFailed',
  'AccountBorrowOutstanding',
  'DuplicateAccountOutOfSync',
  'InvalidError',
  'ExecutableDataModified',
  'ExecutableLamportChange',
  'ExecutableAccountNotRentExempt',
  'UnsupportedProgramId',
  'CallDepth',
  'MissingAccount',
  'ReentrancyNotAllowed',
  'MaxSeedLengthExceeded',
  'InvalidSeeds',
  'InvalidRealloc',
  'ComputationalBudgetExceeded',
  'PrivilegeEscalation',
  'ProgramEnvironmentSetupFailure',
  'ProgramFailedToComplete',
  'ProgramFailedToCompile',
  'Immutable',
  'IncorrectAuthority',
  'AccountNotRentExempt',
  'InvalidAccountOwner',
  'ArithmeticOverflow',
  'UnsupportedSysvar',
  'IllegalOwner',
  'MaxAccountsDataAllocationsExceeded',
  'MaxAccountsExceeded',
  'MaxInstructionTraceLengthExceeded',
  'BuiltinProgramsMustConsumeComputeUnits',
  'BorshIoError',
] as const

/** A transaction error as the RPC writes it: `"BlockhashNotFound"`, `{ InstructionError: [0, { Custom: 1 }] }`. @internal */
export type TransactionErrorJson = string | Record<string, unknown>

type NativeError = number | { constructor: { name: string }; [key: string]: unknown }

/**
 * Converts a litesvm transaction error into the JSON a validator's RPC reports for it.
 * @internal
 */
export function transactionErrorJson(error: unknown): TransactionErrorJson {
  const native = error as NativeError
  if (typeof native === 'number') return transactionErrors[native] ?? `UnknownError${native}`
  const name = native.constructor.name
  if (name === 'TransactionErrorInstructionError') {
    const inner = (native.err as () => unknown)()
    return { InstructionError: [native.index, instructionErrorJson(inner)] }
  }
  if (name === 'TransactionErrorDuplicateInstruction') return { DuplicateInstruction: native.index }
  if (name === 'TransactionErrorInsufficientFundsForRent') {
    return { InsufficientFundsForRent: { account_index: native.accountIndex } }
  }
  if (name === 'TransactionErrorProgramExecutionTemporarilyRestricted') {
    return { ProgramExecutionTemporarilyRestricted: { account_index: native.accountIndex } }
  }
  return String(error)
}

function instructionErrorJson(error: unknown): unknown {
  if (typeof error === 'number') return instructionErrors[error] ?? `UnknownError${error}`
  const native = error as { constructor: { name: string }; code?: number; msg?: string }
  if (native.constructor.name === 'InstructionErrorCustom') return { Custom: native.code }
  if (native.constructor.name.startsWith('InstructionErrorBorsh')) return { BorshIoError: native.msg ?? '' }
  return String(error)
}

/**
 * The one-line description a validator puts in a failed preflight's message, such as
 * `"Error processing Instruction 0: custom program error: 0x1"`.
 * @internal
 */
export function describeTransactionError(error: TransactionErrorJson): string {
  if (typeof error === 'string') return describeName(error)
  const instruction = error.InstructionError as [number, unknown] | undefined
  if (instruction !== undefined) {
    const [index, inner] = instruction
    const detail =
      typeof inner === 'string'
        ? describeName(inner)
        : typeof (inner as { Custom?: unknown }).Custom === 'number'
          ? `custom program error: 0x${((inner as { Custom: number }).Custom >>> 0).toString(16)}`
          : JSON.stringify(inner)
    return `Error processing Instruction ${index}: ${detail}`
  }
  return JSON.stringify(error)
}

const descriptions: Record<string, string> = {
  AlreadyProcessed: 'This transaction has already been processed',
  BlockhashNotFound: 'Blockhash not found',
  AccountNotFound: 'Attempt to debit an account but found no record of a prior credit.',
  InsufficientFundsForFee: 'Insufficient funds for fee',
  SignatureFailure: 'Transaction did not pass signature verification',
  InsufficientFunds: 'insufficient funds for instruction',
}

function describeName(name: string): string {
  return descriptions[name] ?? name.replace(/([a-z])([A-Z])/g, '$1 $2').toLowerCase()
}
