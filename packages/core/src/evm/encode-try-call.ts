import { concatHex, type Hex } from 'viem'

// Creation code that calls `target` with the bytes appended after it and returns
// `success (1 byte) ‖ gas used (32 bytes) ‖ return or revert data`, reverting never itself.
// Run as a deployless `eth_call` (no `to`), it needs neither a deployed helper nor state
// overrides, and a reverting call cannot fail the whole JSON-RPC batch it travels in.
//
//   PUSH1 66 CODESIZE SUB DUP1 PUSH1 66 PUSH1 0 CODECOPY        copy the calldata to memory 0
//   GAS PUSH1 0 PUSH1 0 DUP4 PUSH1 0 PUSH1 0 PUSH20 target GAS CALL
//   GAS SWAP1 PUSH1 0 MSTORE8 SWAP1 SUB PUSH1 1 MSTORE           success at 0, gas used at 1
//   RETURNDATASIZE PUSH1 0 PUSH1 33 RETURNDATACOPY               return data at 33
//   RETURNDATASIZE PUSH1 33 ADD PUSH1 0 RETURN
// The first returned byte is 0x00 or 0x01, never 0xef (EIP-3541), so the "deployment" succeeds.
const BEFORE_TARGET = '0x604238038060426000395a60006000836000600073' as const
const AFTER_TARGET = '0x5af15a9060005390036001523d600060213e3d6021016000f3' as const

/**
 * Encodes a call to `target` as deployless creation code for `eth_call` (without `to`): the node
 * runs the call and answers with its outcome, a revert included, instead of a JSON-RPC error.
 * Decode the answer with `decodeTryCall`. `msg.sender` of the call is the throwaway contract.
 *
 * @example await rpc.request('eth_call', [{ data: encodeTryCall(token, encodeFunctionData(...)) }, 'latest'])
 * @internal
 */
export function encodeTryCall(target: Hex, data: Hex): Hex {
  return concatHex([BEFORE_TARGET, target, AFTER_TARGET, data])
}
