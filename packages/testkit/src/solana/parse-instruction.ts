import { type Address, getAddressDecoder, getBase58Decoder } from '@solana/kit'
import { formatUiAmount } from './format-ui-amount.js'
import { ASSOCIATED_TOKEN_PROGRAM, isTokenProgram, SYSTEM_PROGRAM } from './solana-programs.js'

/** An instruction with its accounts resolved to addresses. @internal */
export type ResolvedInstruction = {
  programId: Address
  accounts: readonly Address[]
  data: Uint8Array
  /** `null` for top-level instructions, 2 and up for inner ones (as the RPC reports it). */
  stackHeight: number | null
}

/** An instruction in `jsonParsed` encoding: parsed for known programs, partially decoded otherwise. @internal */
export type ParsedInstructionJson =
  | {
      program: string
      programId: Address
      parsed: { type: string; info: Record<string, unknown> }
      stackHeight: number | null
    }
  | { programId: Address; accounts: Address[]; data: string; stackHeight: number | null }

/**
 * Renders an instruction the way a validator's `jsonParsed` encoding does for the System,
 * SPL Token (and Token-2022) and Associated Token Account programs. Anything else, or anything
 * that does not decode, is returned partially decoded (accounts and base58 data), as a
 * validator does.
 * @internal
 */
export function parseInstruction(instruction: ResolvedInstruction): ParsedInstructionJson {
  let parsed: { program: string; type: string; info: Record<string, unknown> } | undefined
  try {
    if (instruction.programId === SYSTEM_PROGRAM) parsed = parseSystem(instruction)
    else if (isTokenProgram(instruction.programId)) parsed = parseToken(instruction)
    else if (instruction.programId === ASSOCIATED_TOKEN_PROGRAM) parsed = parseAssociatedToken(instruction)
  } catch {
    parsed = undefined
  }
  if (parsed === undefined) {
    return {
      programId: instruction.programId,
      accounts: [...instruction.accounts],
      data: getBase58Decoder().decode(instruction.data),
      stackHeight: instruction.stackHeight,
    }
  }
  return {
    program: parsed.program,
    programId: instruction.programId,
    parsed: { info: parsed.info, type: parsed.type },
    stackHeight: instruction.stackHeight,
  }
}

type Parsed = { program: string; type: string; info: Record<string, unknown> } | undefined

function reader(data: Uint8Array) {
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength)
  return {
    u8: (offset: number) => view.getUint8(offset),
    u16: (offset: number) => view.getUint16(offset, true),
    u32: (offset: number) => view.getUint32(offset, true),
    u64: (offset: number) => view.getBigUint64(offset, true),
    address: (offset: number) => {
      if (offset + 32 > data.length) throw new RangeError('short instruction data')
      return getAddressDecoder().decode(data, offset)
    },
  }
}

function need(accounts: readonly Address[], count: number): void {
  if (accounts.length < count) throw new RangeError('not enough accounts')
}

function parseSystem({ accounts, data }: ResolvedInstruction): Parsed {
  const read = reader(data)
  const program = 'system'
  switch (read.u32(0)) {
    case 0:
      need(accounts, 2)
      return {
        program,
        type: 'createAccount',
        info: {
          lamports: read.u64(4),
          newAccount: accounts[1],
          owner: read.address(20),
          source: accounts[0],
          space: read.u64(12),
        },
      }
    case 1:
      need(accounts, 1)
      return { program, type: 'assign', info: { account: accounts[0], owner: read.address(4) } }
    case 2:
      need(accounts, 2)
      return {
        program,
        type: 'transfer',
        info: { destination: accounts[1], lamports: read.u64(4), source: accounts[0] },
      }
    case 8:
      need(accounts, 1)
      return { program, type: 'allocate', info: { account: accounts[0], space: read.u64(4) } }
    default:
      return undefined
  }
}

// Signers of a multisig authority follow the fixed accounts, as in the validator's parser.
function authority(
  accounts: readonly Address[],
  index: number,
  single: string,
  multisig: string,
): Record<string, unknown> {
  need(accounts, index + 1)
  if (accounts.length > index + 1) return { [multisig]: accounts[index], signers: accounts.slice(index + 1) }
  return { [single]: accounts[index] }
}

const extensionNames: Record<number, string> = { 7: 'immutableOwner' }

function parseToken({ accounts, data }: ResolvedInstruction): Parsed {
  const read = reader(data)
  const program = 'spl-token'
  switch (read.u8(0)) {
    case 3:
      need(accounts, 3)
      return {
        program,
        type: 'transfer',
        info: {
          amount: read.u64(1).toString(),
          ...authority(accounts, 2, 'authority', 'multisigAuthority'),
          destination: accounts[1],
          source: accounts[0],
        },
      }
    case 7:
      need(accounts, 3)
      return {
        program,
        type: 'mintTo',
        info: {
          account: accounts[1],
          amount: read.u64(1).toString(),
          mint: accounts[0],
          ...authority(accounts, 2, 'mintAuthority', 'multisigMintAuthority'),
        },
      }
    case 9:
      need(accounts, 3)
      return {
        program,
        type: 'closeAccount',
        info: {
          account: accounts[0],
          destination: accounts[1],
          ...authority(accounts, 2, 'owner', 'multisigOwner'),
        },
      }
    case 12:
      need(accounts, 4)
      return {
        program,
        type: 'transferChecked',
        info: {
          ...authority(accounts, 3, 'authority', 'multisigAuthority'),
          destination: accounts[2],
          mint: accounts[1],
          source: accounts[0],
          tokenAmount: formatUiAmount(read.u64(1), read.u8(9)),
        },
      }
    case 14:
      need(accounts, 3)
      return {
        program,
        type: 'mintToChecked',
        info: {
          account: accounts[1],
          mint: accounts[0],
          ...authority(accounts, 2, 'mintAuthority', 'multisigMintAuthority'),
          tokenAmount: formatUiAmount(read.u64(1), read.u8(9)),
        },
      }
    case 18:
      need(accounts, 2)
      return {
        program,
        type: 'initializeAccount3',
        info: { account: accounts[0], mint: accounts[1], owner: read.address(1) },
      }
    case 20: {
      need(accounts, 1)
      const freeze = read.u8(34) === 1 ? read.address(35) : undefined
      return {
        program,
        type: 'initializeMint2',
        info: {
          decimals: read.u8(1),
          ...(freeze === undefined ? {} : { freezeAuthority: freeze }),
          mint: accounts[0],
          mintAuthority: read.address(2),
        },
      }
    }
    case 21: {
      need(accounts, 1)
      const extensionTypes: string[] = []
      for (let offset = 1; offset + 2 <= data.length; offset += 2) {
        const type = read.u16(offset)
        extensionTypes.push(extensionNames[type] ?? `extension${type}`)
      }
      return {
        program,
        type: 'getAccountDataSize',
        info: { ...(extensionTypes.length === 0 ? {} : { extensionTypes }), mint: accounts[0] },
      }
    }
    case 22:
      need(accounts, 1)
      return { program, type: 'initializeImmutableOwner', info: { account: accounts[0] } }
    default:
      return undefined
  }
}

function parseAssociatedToken({ accounts, data }: ResolvedInstruction): Parsed {
  const kind = data.length === 0 ? 0 : data[0]
  if (kind !== 0 && kind !== 1) return undefined
  need(accounts, 6)
  return {
    program: 'spl-associated-token-account',
    type: kind === 0 ? 'create' : 'createIdempotent',
    info: {
      account: accounts[1],
      mint: accounts[3],
      source: accounts[0],
      systemProgram: accounts[4],
      tokenProgram: accounts[5],
      wallet: accounts[2],
    },
  }
}
