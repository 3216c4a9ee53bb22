/**
 * Synchronous HMAC-SHA256 (RFC 2104, FIPS 180-4) in plain JavaScript, because `crypto.subtle` is
 * async only. Used solely to derive a key id from a secret while creating a keyring synchronously;
 * every MAC of a token goes through `crypto.subtle`.
 */

const BLOCK_BYTES = 64

// First 32 bits of the fractional parts of the cube roots of the first 64 primes.
const ROUND_CONSTANTS = new Uint32Array([
  0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5, 0xd807aa98,
  0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174, 0xe49b69c1, 0xefbe4786,
  0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da, 0x983e5152, 0xa831c66d, 0xb00327c8,
  0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967, 0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13,
  0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85, 0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819,
  0xd6990624, 0xf40e3585, 0x106aa070, 0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a,
  0x5b9cca4f, 0x682e6ff3, 0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7,
  0xc67178f2,
])

const rotateRight = (word: number, bits: number) => (word >>> bits) | (word << (32 - bits))

function sha256(message: Uint8Array): Uint8Array {
  // Message, a 0x80 byte, zeros, then the bit length as a 64-bit big-endian integer.
  const padded = new Uint8Array(Math.ceil((message.length + 9) / BLOCK_BYTES) * BLOCK_BYTES)
  padded.set(message)
  padded[message.length] = 0x80
  const view = new DataView(padded.buffer)
  view.setUint32(padded.length - 8, Math.floor(message.length / 0x20000000))
  view.setUint32(padded.length - 4, (message.length * 8) >>> 0)

  const state = new Uint32Array([
    0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19,
  ])
  const schedule = new Uint32Array(64)
  for (let offset = 0; offset < padded.length; offset += BLOCK_BYTES) {
    for (let index = 0; index < 16; index++) schedule[index] = view.getUint32(offset + index * 4)
    for (let index = 16; index < 64; index++) {
      const early = schedule[index - 15]!
      const late = schedule[index - 2]!
      const sigma0 = rotateRight(early, 7) ^ rotateRight(early, 18) ^ (early >>> 3)
      const sigma1 = rotateRight(late, 17) ^ rotateRight(late, 19) ^ (late >>> 10)
      schedule[index] = schedule[index - 16]! + sigma0 + schedule[index - 7]! + sigma1
    }
    let [a, b, c, d, e, f, g, h] = state as unknown as [
      number,
      number,
      number,
      number,
      number,
      number,
      number,
      number,
    ]
    for (let index = 0; index < 64; index++) {
      const sum1 = rotateRight(e, 6) ^ rotateRight(e, 11) ^ rotateRight(e, 25)
      const choice = (e & f) ^ (~e & g)
      const temporary1 = (h + sum1 + choice + ROUND_CONSTANTS[index]! + schedule[index]!) | 0
      const sum0 = rotateRight(a, 2) ^ rotateRight(a, 13) ^ rotateRight(a, 22)
      const majority = (a & b) ^ (a & c) ^ (b & c)
      const temporary2 = (sum0 + majority) | 0
      h = g
      g = f
      f = e
      e = (d + temporary1) | 0
      d = c
      c = b
      b = a
      a = (temporary1 + temporary2) | 0
    }
    for (const [index, word] of [a, b, c, d, e, f, g, h].entries()) state[index] = state[index]! + word
  }
  padded.fill(0)
  schedule.fill(0)
  const digest = new Uint8Array(32)
  const digestView = new DataView(digest.buffer)
  for (const [index, word] of state.entries()) digestView.setUint32(index * 4, word)
  return digest
}

/**
 * HMAC-SHA256 of `message` under `key`, computed synchronously in JavaScript.
 *
 * @example hmacSha256(secretBytes, new TextEncoder().encode('tollgate/kid')) // 32 bytes
 * @internal
 */
export function hmacSha256(key: Uint8Array, message: Uint8Array): Uint8Array {
  const block = new Uint8Array(BLOCK_BYTES)
  block.set(key.length > BLOCK_BYTES ? sha256(key) : key)
  const inner = new Uint8Array(BLOCK_BYTES + message.length)
  const outer = new Uint8Array(BLOCK_BYTES + 32)
  for (let index = 0; index < BLOCK_BYTES; index++) {
    inner[index] = block[index]! ^ 0x36
    outer[index] = block[index]! ^ 0x5c
  }
  inner.set(message, BLOCK_BYTES)
  const innerDigest = sha256(inner)
  outer.set(innerDigest, BLOCK_BYTES)
  const mac = sha256(outer)
  // These buffers hold key material; wipe them rather than leave them to the garbage collector.
  for (const buffer of [block, inner, outer, innerDigest]) buffer.fill(0)
  return mac
}
