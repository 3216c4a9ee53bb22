/**
 * Whether `value` is a canonical origin such as `https://api.example.com`: what `new URL(url).origin`
 * returns, so no path, no trailing slash, no default port and a lower-case host.
 *
 * @example isCanonicalOrigin('https://api.example.com') // true
 * @example isCanonicalOrigin('https://api.example.com/') // false
 * @throws never
 * @internal
 */
export function isCanonicalOrigin(value: string): boolean {
  try {
    const origin = new URL(value).origin
    return origin !== 'null' && origin === value
  } catch {
    return false
  }
}
