import { defineRedisScript } from './redis-script.js'

/** Deletes KEYS[1] only while it still holds the claim token ARGV[1]. @internal */
export const releaseScript = defineRedisScript(`
if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('DEL', KEYS[1])
end
return 0
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
