// What normalizing could change: `%`, `//`, or a `.`/`..` segment.
const NEEDS_NORMALIZING = /%|\/\/|\/\.\.?(?:\/|$)/

/**
 * The pathnames a request may be routed as: the path exactly as received (how Express and most
 * routers match it), then, when different, its normal form: percent escapes decoded segment by
 * segment, empty segments (`//`) dropped and `.`/`..` segments resolved, as a proxy or another
 * framework may see it. A priced route that matches any of them is charged for.
 *
 * @example pathVariants('/api/%73earch') // ['/api/%73earch', '/api/search']
 * @example pathVariants('//api/./search/') // ['//api/./search/', '/api/search/']
 * @internal
 */
export function pathVariants(pathname: string): string[] {
  // Without a percent escape, an empty segment or a dot segment, the path is its own normal form.
  if (!pathname.startsWith('/') || !NEEDS_NORMALIZING.test(pathname)) return [pathname]
  const segments: string[] = []
  const raw = pathname.split('/').slice(1)
  for (const [index, part] of raw.entries()) {
    if (part === '.' || part === '%2e' || part === '%2E') continue
    if (part === '..' || /^(?:\.|%2e){2}$/i.test(part)) {
      segments.pop()
      continue
    }
    if (part.length === 0 && index !== raw.length - 1) continue
    // A decoded "/" stays inside its segment: "/a%2Fb" is one segment, as routers capture it.
    segments.push(encodeSlashes(decodeSegment(part)))
  }
  const normal = `/${segments.join('/')}`
  return normal === pathname ? [pathname] : [pathname, normal]
}

function decodeSegment(part: string): string {
  try {
    return decodeURIComponent(part)
  } catch {
    return part
  }
}

// Decoded segments are matched as pathnames again, so characters with a meaning there are re-escaped.
function encodeSlashes(segment: string): string {
  return segment.replace(/%/g, '%25').replace(/\//g, '%2F')
}
