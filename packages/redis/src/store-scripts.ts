import { defineRedisScript } from './redis-script.js'

/**
 * Creates the claim KEYS[1] in flight (`f|<token ARGV[1]>|<value ARGV[3]>`, expiring after
 * ARGV[2] milliseconds) unless it exists. Returns { 1 } when created, else { 0, the entry as kept },
 * so the caller learns in this one call whether the holder is in flight or spent. @internal
 */
export const claimScript = defineRedisScript(`
local current = redis.call('GET', KEYS[1])
if current then
  return { 0, current }
end
redis.call('SET', KEYS[1], 'f|' .. ARGV[1] .. '|' .. ARGV[3], 'PX', ARGV[2])
return { 1 }
`)

/**
 * Marks the claim KEYS[1] spent if it is held by token ARGV[1] (in flight, or spent by the same
 * token). It then lives at least ARGV[2] more milliseconds, never less than it had left. ARGV[3]
 * is "1" when ARGV[4] replaces the value. Returns 1 when committed, else 0. @internal
 */
export const commitScript = defineRedisScript(`
local current = redis.call('GET', KEYS[1])
if not current then
  return 0
end
local token, value = string.match(current, '^[fs]|([^|]*)|(.*)$')
if token == nil or token ~= ARGV[1] then
  return 0
end
if ARGV[3] == '1' then
  value = ARGV[4]
end
local ttl = tonumber(ARGV[2])
local remaining = redis.call('PTTL', KEYS[1])
if remaining > ttl then
  ttl = remaining
end
redis.call('SET', KEYS[1], 's|' .. token .. '|' .. value, 'PX', ttl)
return 1
`)

/** Deletes KEYS[1] only while it is in flight under the claim token ARGV[1]. Returns 1 or 0. @internal */
export const releaseScript = defineRedisScript(`
local current = redis.call('GET', KEYS[1])
local prefix = 'f|' .. ARGV[1] .. '|'
if current and string.sub(current, 1, string.len(prefix)) == prefix then
  return redis.call('DEL', KEYS[1])
end
return 0
`)

/**
 * Extends KEYS[1] to live at least ARGV[2] more milliseconds (never less than it had left), only
 * while it is in flight under the claim token ARGV[1]. Returns 1 or 0. @internal
 */
export const renewScript = defineRedisScript(`
local current = redis.call('GET', KEYS[1])
local prefix = 'f|' .. ARGV[1] .. '|'
if not current or string.sub(current, 1, string.len(prefix)) ~= prefix then
  return 0
end
local ttl = tonumber(ARGV[2])
if redis.call('PTTL', KEYS[1]) < ttl then
  redis.call('PEXPIRE', KEYS[1], ttl)
end
return 1
`)

/** INCR KEYS[1]; a counter this call created expires after ARGV[1] milliseconds. @internal */
export const incrementScript = defineRedisScript(`
local value = redis.call('INCR', KEYS[1])
if value == 1 then
  redis.call('PEXPIRE', KEYS[1], ARGV[1])
end
return value
`)

/**
 * A token bucket in a hash { t = tokens, u = last update in microseconds }. Time comes from the
 * Redis server clock, so gate instances with skewed clocks share one notion of "now".
 * ARGV: capacity, refill per second, cost. Returns { allowed (0|1), whole tokens left,
 * microseconds until `cost` tokens are available (0 when allowed) }.
 * @internal
 */
export const takeScript = defineRedisScript(`
local capacity = tonumber(ARGV[1])
local rate = tonumber(ARGV[2])
local cost = tonumber(ARGV[3])
local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000000 + tonumber(time[2])
local state = redis.call('HMGET', KEYS[1], 't', 'u')
local tokens = capacity
if state[1] and state[2] then
  local elapsed = math.max(0, now - tonumber(state[2])) / 1000000
  tokens = math.min(capacity, tonumber(state[1]) + elapsed * rate)
end
local allowed = 0
local retry = 0
if tokens >= cost then
  tokens = tokens - cost
  allowed = 1
else
  retry = math.ceil((cost - tokens) / rate * 1000000)
end
redis.call('HSET', KEYS[1], 't', string.format('%.17g', tokens), 'u', string.format('%.17g', now))
redis.call('PEXPIRE', KEYS[1], math.max(1, math.ceil(capacity / rate * 1000)))
return { allowed, math.floor(tokens), retry }
`)
