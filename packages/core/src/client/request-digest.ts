/**
 * The digest a payment is bound to in the ledger (`LedgerRecord.request`): SHA-256 over the
 * method, the URL and the body's own SHA-256, hex. The same request retried (an agent calling the
 * same tool with the same arguments) has the same digest, so it reuses its unfinished payment.
 * @example await requestDigest('POST', 'https://api.example.com/search', new TextEncoder().encode('{"q":"x"}'))
 * @internal
 */
export async function requestDigest(
  method: string,
  url: string,
  body: ArrayBuffer | Uint8Array | undefined,
): Promise<string> {
  const bodyHash = await sha256Hex(body === undefined ? new Uint8Array() : new Uint8Array(body))
  return sha256Hex(new TextEncoder().encode(`${method.toUpperCase()}\n${url}\n${bodyHash}`))
}

async function sha256Hex(bytes: Uint8Array): Promise<string> {
  const digest = await crypto.subtle.digest('SHA-256', bytes as Uint8Array<ArrayBuffer>)
  return Array.from(new Uint8Array(digest), (byte) => byte.toString(16).padStart(2, '0')).join('')
}
