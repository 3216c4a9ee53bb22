import { bytesToBase64Url } from '../encoding/base64.js'
import { quote, TollgateError } from '../errors/tollgate-error.js'
import { hmacSha256 } from './hmac-sha256.js'

const KID = /^[A-Za-z0-9_-]{1,32}$/
const PURPOSE = /^[a-z][a-z0-9-]{0,31}$/
const MIN_SECRET_BYTES = 32
const HMAC_SHA256 = { name: 'HMAC', hash: 'SHA-256' } as const
const encoder = new TextEncoder()

/** One HMAC key of a {@link Keyring}. */
export type KeyInput = {
  /** Key id written into every token this key signs: 1 to 32 characters of `[A-Za-z0-9_-]`. Not secret. */
  kid: string
  /** The secret: at least 32 bytes (strings count their UTF-8 bytes). Use random bytes, not a password. */
  secret: string | Uint8Array
}

/** Options of {@link createKeyring}. */
export type CreateKeyringOptions = {
  /** The key that signs new tokens and verifies them. */
  current: KeyInput
  /** Retired keys that still verify tokens they signed; remove one to invalidate its tokens. Default none. */
  previous?: readonly KeyInput[]
}

/**
 * HMAC-SHA256 keys with ids, for passes and challenges: signs with the current key and verifies with
 * the current or any previous one. Holds only non-extractable `CryptoKey`s, never secret bytes, and
 * serialises to its key ids only.
 */
export type Keyring = {
  /** Id of the key that signs new tokens. */
  readonly currentKid: string
  /** Ids of every key that verifies, the current one first. */
  readonly kids: readonly string[]
  /** Whether a key with this id verifies tokens. */
  has(kid: string): boolean
  /**
   * MACs `data` with the current key's sub-key for `purpose`.
   * @internal
   */
  sign(purpose: string, data: Uint8Array): Promise<Uint8Array>
  /**
   * Checks `mac` over `data` in constant time with key `kid`'s sub-key for `purpose`; false for an unknown kid.
   * @internal
   */
  verify(purpose: string, kid: string, data: Uint8Array, mac: Uint8Array): Promise<boolean>
}

type KeyEntry = {
  // The secret imported as a non-extractable key; the bytes are wiped once the import settles.
  master: Promise<CryptoKey>
  // Sub-keys per purpose, derived on first use; the promise is cached so concurrent first uses derive once.
  subKeys: Map<string, Promise<CryptoKey>>
}

/**
 * Creates a keyring of HMAC-SHA256 keys for passes and challenges, with key ids for rotation.
 *
 * Pass one secret for a single key whose id is derived from the secret (without revealing it), or
 * `{ current, previous }` to rotate: new tokens are signed by `current`, tokens of `previous` keys keep
 * verifying until those keys are removed. Each purpose (`pass`, `challenge`) MACs with its own derived
 * sub-key, so a token of one purpose never verifies as another. Validation is synchronous; the keys are
 * imported into `crypto.subtle` in the background and sub-keys are derived on first use.
 *
 * @example
 * const keyring = createKeyring(process.env.TOLLGATE_SECRET!)
 * @example
 * const keyring = createKeyring({
 *   current: { kid: '2025-06', secret: process.env.TOLLGATE_SECRET! },
 *   previous: [{ kid: '2025-01', secret: process.env.TOLLGATE_OLD_SECRET! }],
 * })
 * @throws {TollgateError} `config_invalid` for a bad kid, a secret shorter than 32 bytes, or a kid or
 * secret used twice
 */
export function createKeyring(input: CreateKeyringOptions | string | Uint8Array): Keyring {
  const inputs = isSecret(input) ? undefined : keyInputs(input)
  const secrets: Uint8Array<ArrayBuffer>[] = []
  try {
    if (inputs === undefined) secrets.push(secretBytes(input, undefined))
    else for (const key of inputs) secrets.push(secretBytes(key.secret, key.kid))
    if (inputs !== undefined) assertDistinct(inputs, secrets)
  } catch (error) {
    for (const secret of secrets) secret.fill(0)
    throw error
  }
  const kids = inputs === undefined ? [deriveKid(secrets[0]!)] : inputs.map((key) => key.kid)
  const entries = new Map<string, KeyEntry>(
    kids.map((kid, index) => [kid, { master: importMaster(secrets[index]!), subKeys: new Map() }]),
  )
  const currentKid = kids[0]!
  const description = `Keyring(current: ${JSON.stringify(currentKid)}, previous: ${JSON.stringify(kids.slice(1))})`

  const keyring: Keyring & { toJSON(): unknown; toString(): string } = {
    currentKid,
    kids: Object.freeze(kids),
    has: (kid) => entries.has(kid),
    sign: async (purpose, data) => {
      const key = await subKey(entries.get(currentKid)!, purpose)
      return new Uint8Array(await crypto.subtle.sign('HMAC', key, new Uint8Array(data)))
    },
    verify: async (purpose, kid, data, mac) => {
      const entry = entries.get(kid)
      if (entry === undefined) return false
      const key = await subKey(entry, purpose)
      return crypto.subtle.verify('HMAC', key, new Uint8Array(mac), new Uint8Array(data))
    },
    toJSON: () => ({ currentKid, kids }),
    toString: () => description,
  }
  // Node's util.inspect (and console.log) would otherwise print the functions; show the ids only.
  Object.defineProperty(keyring, Symbol.for('nodejs.util.inspect.custom'), { value: () => description })
  return Object.freeze(keyring)
}

function isSecret(input: unknown): input is string | Uint8Array {
  return typeof input === 'string' || isBytes(input)
}

// Also accepts a Uint8Array from another realm (a test VM, an iframe), where instanceof fails.
function isBytes(value: unknown): value is Uint8Array {
  return ArrayBuffer.isView(value) && Object.prototype.toString.call(value) === '[object Uint8Array]'
}

function keyInputs(options: CreateKeyringOptions): KeyInput[] {
  if (typeof options !== 'object' || options === null || typeof options.current !== 'object') {
    throw new TollgateError(
      'config_invalid',
      'A keyring needs a secret or `{ current: { kid, secret }, previous? }`.',
    )
  }
  const previous = options.previous ?? []
  if (!Array.isArray(previous)) {
    throw new TollgateError('config_invalid', 'Keyring `previous` must be an array of `{ kid, secret }`.')
  }
  const inputs = [options.current, ...previous]
  for (const key of inputs) {
    if (typeof key !== 'object' || key === null || typeof key.kid !== 'string' || !KID.test(key.kid)) {
      const kid = typeof key === 'object' && key !== null ? key.kid : key
      throw new TollgateError(
        'config_invalid',
        `Key id ${quote(kid)} must be 1 to 32 characters of letters, digits, "_" and "-".`,
        { details: { kid: typeof kid === 'string' ? kid.slice(0, 64) : typeof kid } },
      )
    }
  }
  return inputs
}

// Returns a private copy so wiping it never touches the caller's array.
function secretBytes(secret: unknown, kid: string | undefined): Uint8Array<ArrayBuffer> {
  const name = kid === undefined ? 'The keyring secret' : `The secret of key ${quote(kid)}`
  const bytes =
    typeof secret === 'string' ? encoder.encode(secret) : isBytes(secret) ? new Uint8Array(secret) : undefined
  if (bytes === undefined) {
    throw new TollgateError('config_invalid', `${name} must be a string or a Uint8Array.`, {
      details: { kid, type: typeof secret },
    })
  }
  if (bytes.length < MIN_SECRET_BYTES) {
    bytes.fill(0)
    throw new TollgateError(
      'config_invalid',
      `${name} has ${bytes.length} bytes; use at least ${MIN_SECRET_BYTES} random bytes.`,
      { details: { kid, length: bytes.length, minimum: MIN_SECRET_BYTES } },
    )
  }
  return bytes
}

function assertDistinct(inputs: readonly KeyInput[], secrets: readonly Uint8Array[]): void {
  for (let index = 0; index < inputs.length; index++) {
    for (let other = 0; other < index; other++) {
      const kid = inputs[index]!.kid
      const otherKid = inputs[other]!.kid
      if (kid === otherKid || equalBytes(secrets[index]!, secrets[other]!)) {
        throw new TollgateError(
          'config_invalid',
          kid === otherKid
            ? `Key id ${quote(kid)} appears twice in the keyring.`
            : `Keys ${quote(otherKid)} and ${quote(kid)} have the same secret; a rotated key needs a new secret.`,
          { details: { kids: [otherKid, kid] } },
        )
      }
    }
  }
}

// Configuration time, not attacker-timed, so an early-exit comparison is fine here.
function equalBytes(left: Uint8Array, right: Uint8Array): boolean {
  return left.length === right.length && left.every((byte, index) => byte === right[index])
}

function deriveKid(secret: Uint8Array): string {
  const mac = hmacSha256(secret, encoder.encode('tollgate/kid'))
  return bytesToBase64Url(mac.subarray(0, 8))
}

function importMaster(secret: Uint8Array<ArrayBuffer>): Promise<CryptoKey> {
  const master = crypto.subtle.importKey('raw', secret, HMAC_SHA256, false, ['sign'])
  // importKey has its own copy once it settles; wipe ours so no secret bytes stay in the heap.
  void master.then(
    () => secret.fill(0),
    () => secret.fill(0),
  )
  return master
}

function subKey(entry: KeyEntry, purpose: string): Promise<CryptoKey> {
  if (typeof purpose !== 'string' || !PURPOSE.test(purpose)) {
    throw new TollgateError('config_invalid', `Key purpose ${quote(purpose)} must match ${PURPOSE}.`)
  }
  let key = entry.subKeys.get(purpose)
  if (key === undefined) {
    key = entry.master.then((master) => deriveSubKey(master, purpose))
    // A failed derivation is not cached, so a transient failure does not poison the keyring.
    key.catch(() => entry.subKeys.delete(purpose))
    entry.subKeys.set(purpose, key)
  }
  return key
}

async function deriveSubKey(master: CryptoKey, purpose: string): Promise<CryptoKey> {
  const raw = new Uint8Array(
    await crypto.subtle.sign('HMAC', master, encoder.encode(`tollgate/${purpose}/v1`)),
  )
  try {
    return await crypto.subtle.importKey('raw', raw, HMAC_SHA256, false, ['sign', 'verify'])
  } finally {
    raw.fill(0)
  }
}
