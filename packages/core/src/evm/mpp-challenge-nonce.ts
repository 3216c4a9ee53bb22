import { type Hex, keccak256, stringToBytes } from 'viem'

/**
 * The EIP-3009 nonce that binds an MPP EVM `authorization` credential to its challenge:
 * `keccak256(utf8(id + realm))` (the draft's `keccak256(abi.encodePacked(id, realm))`).
 *
 * @example const nonce = mppChallengeNonce({ id: challenge.id, realm: challenge.realm })
 */
export function mppChallengeNonce(challenge: { id: string; realm: string }): Hex {
  return keccak256(stringToBytes(challenge.id + challenge.realm))
}
