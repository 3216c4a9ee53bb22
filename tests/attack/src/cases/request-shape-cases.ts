import type { RawRequest } from '../raw-http.js'
import type { AttackCase, Expectation } from '../run-case.js'

// ARCHITECTURE.md G1: the gate prices the path the framework routes; no header takes part in
// route matching; a malformed Host is a 400 with a code. Every case below sends no payment, so a
// priced handler must never run, whatever the status.

const unpaid: Expectation = { status: 402, code: 'payment_required', handlerRuns: 0 }
/**
 * A malformed Host is a 400 with a code where the gate reads Host (no configured origin); a gate
 * with `publicUrl` never reads it and may quote its 402. Never a 500, never served.
 */
const malformed: Expectation = { status: [400, 402], code: 'any', handlerRuns: 0 }
/** Express itself may not route it (404), or the gate prices it (402): either way, nothing served. */
const unpaidOrUnrouted: Expectation = {
  status: [402, 404],
  code: ['payment_required', 'not_found'],
  handlerRuns: 0,
}
/** Node's HTTP parser may refuse it (400) before the app sees it. */
const unpaidOrRefused: Expectation = { status: [400, 402], handlerRuns: 0 }

type Shape = {
  name: string
  /** Builds the request for an instance listening on `port`. */
  request(port: number): RawRequest
  expect: Expectation
}

const json = { 'content-type': 'application/json' }

function get(target: string, host?: string[], headers: Record<string, string> = {}) {
  return (port: number): RawRequest => ({
    method: 'GET',
    target: target.replaceAll('PORT', String(port)),
    ...(host === undefined ? {} : { host: host.map((value) => value.replaceAll('PORT', String(port))) }),
    headers,
  })
}

function post(target: string, host?: string[]) {
  return (port: number): RawRequest => ({
    ...get(target, host, json)(port),
    method: 'POST',
    body: '{"title":"t"}',
  })
}

const shapes: Shape[] = [
  // Host variants that shift the path when a URL is rebuilt from them.
  {
    name: 'Host "127.0.0.1:PORT/" on GET /api/search',
    request: get('/api/search?q=x', ['127.0.0.1:PORT/']),
    expect: unpaid,
  },
  { name: 'Host "x?" on GET /api/search', request: get('/api/search?q=x', ['x?']), expect: unpaid },
  { name: 'Host "x#" on GET /api/search', request: get('/api/search?q=x', ['x#']), expect: unpaidOrRefused },
  {
    name: 'Host "x\\" on GET /api/search',
    request: get('/api/search?q=x', ['x\\']),
    expect: unpaidOrRefused,
  },
  {
    name: 'Host "127.0.0.1:PORT/api" on GET /api/search',
    request: get('/api/search', ['127.0.0.1:PORT/api']),
    expect: unpaid,
  },
  { name: 'Host "x/.." on GET /api/search', request: get('/api/search', ['x/..']), expect: unpaidOrRefused },
  { name: 'Host "x?a=" on GET /api/items/42', request: get('/api/items/42', ['x?a=']), expect: unpaid },
  {
    name: 'Host of another site on GET /api/search',
    request: get('/api/search', ['evil.example']),
    expect: unpaid,
  },
  {
    name: 'Host of the configured origin on GET /api/search',
    request: get('/api/search', ['shop.example']),
    expect: unpaid,
  },
  {
    name: 'Host upper-cased on GET /api/search',
    request: get('/api/search', ['SHOP.EXAMPLE']),
    expect: unpaid,
  },
  {
    name: 'Host with user info on GET /api/search',
    request: get('/api/search', ['user@evil.example']),
    expect: unpaidOrRefused,
  },
  {
    name: 'Host "127.0.0.1:PORT@evil" on GET /api/search',
    request: get('/api/search', ['127.0.0.1:PORT@evil']),
    expect: unpaidOrRefused,
  },
  { name: 'empty Host on GET /api/search', request: get('/api/search', ['']), expect: unpaidOrRefused },
  { name: 'no Host on GET /api/search', request: get('/api/search', []), expect: unpaidOrRefused },
  {
    name: 'two Host headers on GET /api/search',
    request: get('/api/search', ['x?', '127.0.0.1:PORT']),
    expect: unpaidOrRefused,
  },
  {
    name: 'a 4 kB Host on GET /api/search',
    request: get('/api/search', [`${'a'.repeat(4000)}.example`]),
    expect: unpaidOrRefused,
  },
  // Malformed Host: a 400 with a code, never a 500.
  {
    name: 'malformed Host "a b" on GET /api/search',
    request: get('/api/search', ['a b']),
    expect: malformed,
  },
  {
    name: 'malformed Host "x:99999" on GET /api/search',
    request: get('/api/search', ['x:99999']),
    expect: malformed,
  },
  {
    name: 'malformed Host "[::1" on GET /api/search',
    request: get('/api/search', ['[::1']),
    expect: malformed,
  },
  {
    name: 'malformed Host "x:abc" on GET /api/search',
    request: get('/api/search', ['x:abc']),
    expect: malformed,
  },
  { name: 'malformed Host "a b" on POST /api/post', request: post('/api/post', ['a b']), expect: malformed },
  {
    name: 'malformed Host "x:99999" on GET /api/items/1',
    request: get('/api/items/1', ['x:99999']),
    expect: malformed,
  },
  // Absolute-form request targets.
  { name: 'absolute target http://x/api/search', request: get('http://x/api/search'), expect: unpaid },
  {
    name: 'absolute target to this instance',
    request: get('http://127.0.0.1:PORT/api/search?q=x'),
    expect: unpaid,
  },
  {
    name: 'absolute target with upper-case scheme and host',
    request: get('HTTP://X/api/search'),
    expect: unpaid,
  },
  {
    name: 'absolute https target of another site',
    request: get('https://evil.example/api/search'),
    expect: unpaid,
  },
  { name: 'absolute target with Host "x?"', request: get('http://x/api/search', ['x?']), expect: unpaid },
  {
    name: 'absolute target with user info',
    request: get('http://u:p@x/api/search'),
    expect: unpaidOrRefused,
  },
  { name: 'absolute target http://x/api/items/42', request: get('http://x/api/items/42'), expect: unpaid },
  {
    name: 'absolute target http://x/API/SEARCH/',
    request: get('http://x/API/SEARCH/'),
    expect: unpaidOrUnrouted,
  },
  { name: 'absolute target on POST /api/post', request: post('http://x/api/post'), expect: unpaid },
  { name: 'asterisk-form target', request: get('*'), expect: { status: [400, 404], handlerRuns: 0 } },
  // Paths Express routes to the priced handler, or does not route at all.
  { name: 'path /API/SEARCH', request: get('/API/SEARCH?q=x'), expect: unpaid },
  { name: 'path /Api/Search', request: get('/Api/Search'), expect: unpaid },
  { name: 'path /api/search/ (trailing slash)', request: get('/api/search/'), expect: unpaid },
  { name: 'path /API/SEARCH/ (case and trailing slash)', request: get('/API/SEARCH/'), expect: unpaid },
  { name: 'path //api/search', request: get('//api/search'), expect: unpaidOrUnrouted },
  { name: 'path /api//search', request: get('/api//search'), expect: unpaidOrUnrouted },
  { name: 'path /api/search//', request: get('/api/search//'), expect: unpaidOrUnrouted },
  { name: 'path /api/%73earch', request: get('/api/%73earch'), expect: unpaidOrUnrouted },
  { name: 'path /%61pi/search', request: get('/%61pi/search'), expect: unpaidOrUnrouted },
  { name: 'path /api/se%61rch?q=1', request: get('/api/se%61rch?q=1'), expect: unpaidOrUnrouted },
  {
    name: 'path /api/%2573earch (double-encoded)',
    request: get('/api/%2573earch'),
    expect: unpaidOrUnrouted,
  },
  { name: 'path /api/search%2f', request: get('/api/search%2f'), expect: unpaidOrUnrouted },
  { name: 'path /api/search%20', request: get('/api/search%20'), expect: unpaidOrUnrouted },
  { name: 'path /api/./search', request: get('/api/./search'), expect: unpaidOrUnrouted },
  { name: 'path /api/x/../search', request: get('/api/x/../search'), expect: unpaidOrUnrouted },
  { name: 'path /./api/search', request: get('/./api/search'), expect: unpaidOrUnrouted },
  { name: 'path /api/search/.', request: get('/api/search/.'), expect: unpaidOrUnrouted },
  { name: 'path /api/%2e/search', request: get('/api/%2e/search'), expect: unpaidOrUnrouted },
  { name: 'path /api/search;x', request: get('/api/search;x'), expect: unpaidOrUnrouted },
  {
    name: 'path /api/search?q=x#fragment',
    request: get('/api/search?q=x#fragment'),
    expect: unpaidOrUnrouted,
  },
  { name: 'path /api/search%3Fq=x', request: get('/api/search%3Fq=x'), expect: unpaidOrUnrouted },
  { name: 'path /api/search?', request: get('/api/search?'), expect: unpaid },
  { name: 'path /api/search?q=a&q=b', request: get('/api/search?q=a&q=b'), expect: unpaid },
  {
    name: 'path /api\\search',
    request: get('/api\\search'),
    expect: { status: [400, 402, 404], handlerRuns: 0 },
  },
  { name: 'path /API/ITEMS/42', request: get('/API/ITEMS/42'), expect: unpaid },
  { name: 'path /api/items/42/', request: get('/api/items/42/'), expect: unpaid },
  { name: 'path /api/items/%34%32', request: get('/api/items/%34%32'), expect: unpaid },
  { name: 'path /api/items/a%2fb', request: get('/api/items/a%2fb'), expect: unpaidOrUnrouted },
  { name: 'path /api/items/42/..', request: get('/api/items/42/..'), expect: unpaidOrUnrouted },
  { name: 'path /API/POST on POST', request: post('/API/POST'), expect: unpaid },
  { name: 'path /api/post/ on POST', request: post('/api/post/'), expect: unpaid },
  { name: 'path /api/%70ost on POST', request: post('/api/%70ost'), expect: unpaidOrUnrouted },
  { name: 'Host "x?" on POST /api/post', request: post('/api/post', ['x?']), expect: unpaid },
  {
    name: 'Host "127.0.0.1:PORT/" on POST /api/post',
    request: post('/api/post', ['127.0.0.1:PORT/']),
    expect: unpaid,
  },
  // Methods.
  {
    name: 'HEAD /api/search',
    request: (port) => ({ ...get('/api/search')(port), method: 'HEAD' }),
    expect: { status: 402, handlerRuns: 0 },
  },
  {
    name: 'HEAD /API/SEARCH/ with Host "x?"',
    request: (port) => ({ ...get('/API/SEARCH/', ['x?'])(port), method: 'HEAD' }),
    expect: { status: 402, handlerRuns: 0 },
  },
  {
    name: 'OPTIONS /api/search',
    request: (port) => ({ ...get('/api/search')(port), method: 'OPTIONS' }),
    expect: { status: [200, 204, 402, 404], handlerRuns: 0 },
  },
  {
    name: 'lower-case method "get"',
    request: (port) => ({ ...get('/api/search')(port), method: 'get' }),
    expect: unpaidOrRefused,
  },
  { name: 'POST to the GET route /api/search', request: post('/api/search'), expect: unpaidOrUnrouted },
  {
    name: 'GET /api/post with X-HTTP-Method-Override: POST',
    request: get('/api/post', undefined, { 'X-HTTP-Method-Override': 'POST' }),
    expect: unpaidOrUnrouted,
  },
  // Headers that must take no part in matching.
  {
    name: 'X-Forwarded-Host and X-Forwarded-Proto',
    request: get('/api/search', undefined, { 'X-Forwarded-Host': 'x?', 'X-Forwarded-Proto': 'https' }),
    expect: unpaid,
  },
  {
    name: 'X-Original-URL: /health',
    request: get('/api/search', undefined, { 'X-Original-URL': '/health', 'X-Rewrite-URL': '/health' }),
    expect: unpaid,
  },
  {
    name: 'Forwarded: host=x?;proto=https',
    request: get('/api/search', undefined, { Forwarded: 'host="x?";proto=https' }),
    expect: unpaid,
  },
]

/** The request-shape family: Host, request targets, paths and methods, sent raw over `node:net`. */
export const requestShapeCases: AttackCase[] = shapes.map((shape) => ({
  name: `shape: ${shape.name}`,
  family: 'request shape',
  expect: shape.expect,
  run: (context) => context.send(context.a, shape.request(context.a.port)),
}))
