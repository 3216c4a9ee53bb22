/**
 * Base64 and base64url over bytes and UTF-8 text, with web standards only (`atob`/`btoa`), so the
 * core runs on every runtime. Decoders are strict: they reject any character outside the
 * alphabet, bad padding and non-canonical trailing bits, and return `undefined` instead of throwing.
 * @internal
 */

const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/
const BASE64URL = /^[A-Za-z0-9_-]*$/

/** Encodes bytes as standard base64 with padding. @internal */
export function bytesToBase64(bytes: Uint8Array): string {
  let binary = ''
  for (let index = 0; index < bytes.length; index += 0x8000) {
    binary += String.fromCharCode(...bytes.subarray(index, index + 0x8000))
  }
  return btoa(binary)
}

/** Decodes standard base64 (padding required), or returns undefined. @internal */
export function base64ToBytes(text: string): Uint8Array | undefined {
  if (!BASE64.test(text)) return undefined
  const binary = atob(text)
  const bytes = new Uint8Array(binary.length)
  for (let index = 0; index < binary.length; index++) bytes[index] = binary.charCodeAt(index)
  // Non-canonical encodings (stray bits in the last character) would let two strings decode alike.
  return bytesToBase64(bytes) === text ? bytes : undefined
}

/** Encodes bytes as unpadded base64url. @internal */
export function bytesToBase64Url(bytes: Uint8Array): string {
  return bytesToBase64(bytes).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '')
}

/** Decodes unpadded base64url, or returns undefined. @internal */
export function base64UrlToBytes(text: string): Uint8Array | undefined {
  if (!BASE64URL.test(text) || text.length % 4 === 1) return undefined
  const padded = text.replace(/-/g, '+').replace(/_/g, '/') + '='.repeat((4 - (text.length % 4)) % 4)
  return base64ToBytes(padded)
}

const encoder = new TextEncoder()
const decoder = new TextDecoder('utf-8', { fatal: true })

/** UTF-8 encodes text. @internal */
export function utf8ToBytes(text: string): Uint8Array {
  return encoder.encode(text)
}

/** UTF-8 decodes bytes, or returns undefined for invalid UTF-8. @internal */
export function bytesToUtf8(bytes: Uint8Array): string | undefined {
  try {
    return decoder.decode(bytes)
  } catch {
    return undefined
  }
}
