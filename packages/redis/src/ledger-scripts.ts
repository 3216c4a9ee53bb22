import { defineRedisScript } from './redis-script.js'

// Decimal strings of any length (atomic units at 18 decimals pass 2^53): Lua numbers are doubles,
// so sums and comparisons are done on the digits.
const decimals = `
local function strip(value)
  local stripped = value:gsub('^0+', '')
  if stripped == '' then return '0' end
  return stripped
end
local function cmp(a, b)
  if #a ~= #b then return (#a < #b) and -1 or 1 end
  if a == b then return 0 end
  return (a < b) and -1 or 1
end
local function add(a, b)
  local digits, carry, i, j = {}, 0, #a, #b
  while i > 0 or j > 0 or carry > 0 do
    local d = carry + (i > 0 and (a:byte(i) - 48) or 0) + (j > 0 and (b:byte(j) - 48) or 0)
    digits[#digits + 1] = string.char(48 + d % 10)
    carry = math.floor(d / 10)
    i, j = i - 1, j - 1
  end
  return strip(string.reverse(table.concat(digits)))
end
local function sub(a, b)
  local digits, borrow, i, j = {}, 0, #a, #b
  while i > 0 do
    local d = (a:byte(i) - 48) - borrow - (j > 0 and (b:byte(j) - 48) or 0)
    if d < 0 then d, borrow = d + 10, 1 else borrow = 0 end
    digits[#digits + 1] = string.char(48 + d)
    i, j = i - 1, j - 1
  end
  return strip(string.reverse(table.concat(digits)))
end
local P = KEYS[1]
`

/**
 * Checks every limit and writes the spend in one step. ARGV: id, reservedAt, spend JSON, limit
 * count, then line, limit, windowMs ('' for none) per limit, charge count, line and value per
 * charge, hold holder ('' for none), hold until. Replies `{'ok'}`, `{'exists'}`, or
 * `{'exceeded', line, limit, committed, reserved, retryAt}`.
 * @internal
 */
export const reserveScript = defineRedisScript(`${decimals}
local id, at = ARGV[1], tonumber(ARGV[2])
if redis.call('EXISTS', P .. 'spend:' .. id) == 1 then return {'exists'} end
local limitCount = tonumber(ARGV[4])
local chargeAt = 5 + limitCount * 3
local charges = {}
for index = 1, tonumber(ARGV[chargeAt]) do
  charges[ARGV[chargeAt + index * 2 - 1]] = ARGV[chargeAt + index * 2]
end
for index = 0, limitCount - 1 do
  local line, limit, window = ARGV[5 + index * 3], ARGV[6 + index * 3], ARGV[7 + index * 3]
  local value = charges[line]
  if value then
    local reserved = redis.call('GET', P .. 'reserved:' .. line) or '0'
    local committed, aging = '0', {}
    if window == '' then
      committed = redis.call('GET', P .. 'committed:' .. line) or '0'
    else
      aging = redis.call('ZRANGEBYSCORE', P .. 'committed-at:' .. line, '(' .. (at - tonumber(window)), '+inf', 'WITHSCORES')
      for position = 1, #aging, 2 do
        committed = add(committed, redis.call('HGET', P .. 'line:' .. line, aging[position]) or '0')
      end
    end
    local total = add(add(committed, reserved), value)
    if cmp(total, limit) > 0 then
      local retryAt = ''
      if window ~= '' then
        local excess, freed = sub(total, limit), '0'
        for position = 1, #aging, 2 do
          freed = add(freed, redis.call('HGET', P .. 'line:' .. line, aging[position]) or '0')
          if cmp(freed, excess) >= 0 then
            retryAt = tostring(tonumber(aging[position + 1]) + tonumber(window))
            break
          end
        end
      end
      return {'exceeded', line, limit, committed, reserved, retryAt}
    end
  end
end
redis.call('SET', P .. 'spend:' .. id, ARGV[3])
redis.call('HSET', P .. 'status:' .. id, 'status', 'reserved')
redis.call('ZADD', P .. 'spends', redis.call('INCR', P .. 'sequence'), id)
for line, value in pairs(charges) do
  redis.call('HSET', P .. 'line:' .. line, id, value)
  redis.call('SET', P .. 'reserved:' .. line, add(redis.call('GET', P .. 'reserved:' .. line) or '0', value))
end
local holder = ARGV[chargeAt + tonumber(ARGV[chargeAt]) * 2 + 1]
if holder ~= '' then
  redis.call('HSET', P .. 'hold:' .. id, 'holder', holder, 'until', ARGV[chargeAt + tonumber(ARGV[chargeAt]) * 2 + 2])
end
return {'ok'}
`)

/**
 * Commits (ARGV[3] = 'committed') or releases ('released') spend ARGV[1] at ARGV[2]. Replies the
 * spend JSON and the new status when this call changed it, else nil.
 * @internal
 */
export const settleScript = defineRedisScript(`${decimals}
local id, at, next = ARGV[1], ARGV[2], ARGV[3]
local raw = redis.call('GET', P .. 'spend:' .. id)
if not raw then return nil end
local status = redis.call('HGET', P .. 'status:' .. id, 'status')
if next == 'committed' and status == 'committed' then return nil end
if next == 'released' and status ~= 'reserved' then return nil end
local spend = cjson.decode(raw)
for _, charge in ipairs(spend.charges) do
  local line, value = charge.line, charge.value
  if status == 'reserved' then
    redis.call('SET', P .. 'reserved:' .. line, sub(redis.call('GET', P .. 'reserved:' .. line) or '0', value))
  end
  if next == 'committed' then
    redis.call('SET', P .. 'committed:' .. line, add(redis.call('GET', P .. 'committed:' .. line) or '0', value))
    redis.call('ZADD', P .. 'committed-at:' .. line, at, id)
  end
end
redis.call('HSET', P .. 'status:' .. id, 'status', next, 'settledAt', at)
return {raw, next}
`)

/**
 * Replies every spend in reservation order as flat triples: JSON, status, settledAt ('' while reserved).
 * @internal
 */
export const spendsScript = defineRedisScript(`${decimals}
local reply = {}
for _, id in ipairs(redis.call('ZRANGE', P .. 'spends', 0, -1)) do
  local state = redis.call('HMGET', P .. 'status:' .. id, 'status', 'settledAt')
  reply[#reply + 1] = redis.call('GET', P .. 'spend:' .. id)
  reply[#reply + 1] = state[1]
  reply[#reply + 1] = state[2] or ''
end
return reply
`)

/**
 * Holds the first of ARGV[4..] that nobody else holds at ARGV[3] (unix ms) for holder ARGV[1]
 * until ARGV[2]; with holder '' it only looks. Replies the id, or nil.
 * @internal
 */
export const takeScript = defineRedisScript(`${decimals}
local holder, untilAt, now = ARGV[1], ARGV[2], tonumber(ARGV[3])
for index = 4, #ARGV do
  local id = ARGV[index]
  local hold = redis.call('HMGET', P .. 'hold:' .. id, 'holder', 'until')
  if not hold[1] or tonumber(hold[2]) <= now or (holder ~= '' and hold[1] == holder) then
    if holder ~= '' then redis.call('HSET', P .. 'hold:' .. id, 'holder', holder, 'until', untilAt) end
    return id
  end
end
return nil
`)

/**
 * Ends hold ARGV[1] when holder ARGV[2] holds it.
 * @internal
 */
export const unholdScript = defineRedisScript(`${decimals}
if redis.call('HGET', P .. 'hold:' .. ARGV[1], 'holder') == ARGV[2] then
  redis.call('DEL', P .. 'hold:' .. ARGV[1])
end
return nil
`)
