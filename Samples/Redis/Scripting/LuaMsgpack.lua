-- cmsgpack as Redis bundles it (lua-cmsgpack 0.4.0 on Lua 5.1): pack, unpack, unpack_one and unpack_limit, with
-- MessagePack's smallest encodings. Lua 5.1 had only doubles, so a number equal to a 64-bit integer packs as one, any
-- other as a float32 when that is exact, else a float64; a table whose keys are 1..n packs as an array, any other as a
-- map; tables nest 16 deep at most (deeper ones, functions and userdata pack as nil). Returns the library.
local spack, sunpack, byte, sub, format = string.pack, string.unpack, string.byte, string.sub, string.format
local mtype, tointeger, concat = math.type, math.tointeger, table.concat
local MAX_NESTING = 16
local fail = function(message) error(message, 0) end

local function integer(n, out)
  if n >= 0 then
    if n <= 0x7f then out[#out + 1] = spack('B', n)
    elseif n <= 0xff then out[#out + 1] = spack('>BB', 0xcc, n)
    elseif n <= 0xffff then out[#out + 1] = spack('>BI2', 0xcd, n)
    elseif n <= 0xffffffff then out[#out + 1] = spack('>BI4', 0xce, n)
    else out[#out + 1] = spack('>Bi8', 0xcf, n) end
  elseif n >= -32 then out[#out + 1] = spack('b', n)
  elseif n >= -128 then out[#out + 1] = spack('>Bb', 0xd0, n)
  elseif n >= -32768 then out[#out + 1] = spack('>Bi2', 0xd1, n)
  elseif n >= -2147483648 then out[#out + 1] = spack('>Bi4', 0xd2, n)
  else out[#out + 1] = spack('>Bi8', 0xd3, n) end
end

local function number(n, out)
  local i = mtype(n) == 'integer' and n or tointeger(n)
  if i then return integer(i, out) end
  local f = spack('>f', n)
  if sunpack('>f', f) == n then out[#out + 1] = '\xca' .. f else out[#out + 1] = spack('>Bd', 0xcb, n) end
end

local function header(n, small, fix, code16, code32, out)
  if n <= small then out[#out + 1] = spack('B', fix | n)
  elseif n <= 0xffff then out[#out + 1] = spack('>BI2', code16, n)
  else out[#out + 1] = spack('>BI4', code32, n) end
end

-- Lua 5.1's test: every key a positive integer (of C's int), as many keys as the largest.
local function is_array(t)
  local count, max = 0, 0
  for k in pairs(t) do
    if mtype(k) ~= 'integer' or k <= 0 or k > 0x7fffffff then return false end
    if k > max then max = k end
    count = count + 1
  end
  return max == count
end

local encode
encode = function(v, level, out)
  local t = type(v)
  if t == 'table' and level == MAX_NESTING then t = 'nil' end
  if t == 'string' then
    local n = #v
    if n < 32 then out[#out + 1] = spack('B', 0xa0 | n)
    elseif n <= 0xff then out[#out + 1] = spack('>BB', 0xd9, n)
    else header(n, -1, 0, 0xda, 0xdb, out) end
    out[#out + 1] = v
  elseif t == 'boolean' then out[#out + 1] = v and '\xc3' or '\xc2'
  elseif t == 'number' then number(v, out)
  elseif t == 'table' and is_array(v) then
    header(#v, 15, 0x90, 0xdc, 0xdd, out)
    for i = 1, #v do encode(v[i], level + 1, out) end
  elseif t == 'table' then
    local count = 0
    for _ in pairs(v) do count = count + 1 end
    header(count, 15, 0x80, 0xde, 0xdf, out)
    for k, value in pairs(v) do
      encode(k, level + 1, out)
      encode(value, level + 1, out)
    end
  else out[#out + 1] = '\xc0' end
end

local function pack(...)
  local n = select('#', ...)
  if n == 0 then fail("bad argument #0 to 'pack' (MessagePack pack needs input.)") end
  local out = {}
  for i = 1, n do encode((select(i, ...)), 0, out) end
  return concat(out)
end

local decode

-- The bytes s holds from at on (n of them), or the error of input cut short.
local function need(s, at, n)
  if at + n - 1 > #s then fail('Missing bytes in input.') end
end

local function array(s, at, n)
  local t = {}
  for i = 1, n do t[i], at = decode(s, at) end
  return t, at
end

local function map(s, at, n)
  local t = {}
  for _ = 1, n do
    local k, v
    k, at = decode(s, at)
    v, at = decode(s, at)
    t[k] = v
  end
  return t, at
end

local function bytes(s, at, length_format)
  need(s, at, 1 + #spack(length_format, 0))
  local n, from = sunpack(length_format, s, at + 1)
  need(s, from, n)
  return sub(s, from, from + n - 1), from + n
end

local fixed = { -- code: the format of what follows it
  [0xcc] = 'B', [0xcd] = '>I2', [0xce] = '>I4', [0xcf] = '>i8', [0xd0] = 'b', [0xd1] = '>i2', [0xd2] = '>i4', [0xd3] = '>i8',
  [0xca] = '>f', [0xcb] = '>d',
}

-- The value at `at` of s, and where the next begins.
decode = function(s, at)
  need(s, at, 1)
  local b = byte(s, at)
  if b <= 0x7f then return b, at + 1
  elseif b >= 0xe0 then return b - 0x100, at + 1
  elseif b >= 0xa0 and b <= 0xbf then
    need(s, at, 1 + (b & 0x1f))
    return sub(s, at + 1, at + (b & 0x1f)), at + 1 + (b & 0x1f)
  elseif b >= 0x90 and b <= 0x9f then return array(s, at + 1, b & 0xf)
  elseif b >= 0x80 and b <= 0x8f then return map(s, at + 1, b & 0xf)
  elseif b == 0xc0 then return nil, at + 1
  elseif b == 0xc2 or b == 0xc3 then return b == 0xc3, at + 1
  elseif fixed[b] then
    need(s, at, 1 + #spack(fixed[b], 0))
    return sunpack(fixed[b], s, at + 1) -- a uint64 past int64's range wraps to a negative one, as lua_pushinteger makes it
  elseif b == 0xd9 then return bytes(s, at, 'B')
  elseif b == 0xda then return bytes(s, at, '>I2')
  elseif b == 0xdb then return bytes(s, at, '>I4')
  elseif b == 0xdc or b == 0xdd then
    need(s, at, b == 0xdc and 3 or 5)
    return array(s, at + (b == 0xdc and 3 or 5), sunpack(b == 0xdc and '>I2' or '>I4', s, at + 1))
  elseif b == 0xde or b == 0xdf then
    need(s, at, b == 0xde and 3 or 5)
    return map(s, at + (b == 0xde and 3 or 5), sunpack(b == 0xde and '>I2' or '>I4', s, at + 1))
  end
  fail('Bad data format in input.')
end

-- Up to `limit` values from `offset` on (both 0: all of them, and no offset returned first); with a limit, the offset
-- of what follows comes first, -1 once the input is consumed.
local function unpack_full(name, s, limit, offset)
  if type(s) == 'number' then s = tostring(s) end
  if type(s) ~= 'string' then fail(format("bad argument #1 to '%s' (string expected, got %s)", name, s == nil and 'no value' or type(s))) end
  local length = #s
  if offset < 0 or limit < 0 then
    fail(format('Invalid request to unpack with offset of %d and limit of %d.', offset, length)) -- sic: lua-cmsgpack's
  elseif offset > length then
    fail(format('Start offset %d greater than input length %d.', offset, length))
  end
  local all = limit == 0 and offset == 0
  if all then limit = 0x7fffffff end
  local values, count, at = {}, 0, offset + 1
  while at <= length and count < limit do
    count = count + 1
    values[count], at = decode(s, at)
  end
  if all then return table.unpack(values, 1, count) end
  return at > length and -1 or at - 1, table.unpack(values, 1, count)
end

-- An optional integer argument as luaL_optinteger reads it.
local function integer_argument(v, position, name)
  if v == nil then return 0 end
  local n = tonumber(v)
  if n == nil then fail(format("bad argument #%d to '%s' (number expected, got %s)", position, name, type(v))) end
  return n >= 0 and math.floor(n) or math.ceil(n)
end

return {
  pack = pack,
  unpack = function(s) return unpack_full('unpack', s, 0, 0) end,
  unpack_one = function(s, offset) return unpack_full('unpack_one', s, 1, integer_argument(offset, 2, 'unpack_one')) end,
  unpack_limit = function(s, limit, offset)
    if limit == nil then fail("bad argument #2 to 'unpack_limit' (number expected, got no value)") end
    return unpack_full('unpack_limit', s, integer_argument(limit, 2, 'unpack_limit'), integer_argument(offset, 3, 'unpack_limit'))
  end,
  _NAME = 'cmsgpack',
  _VERSION = 'lua-cmsgpack 0.4.0',
  _COPYRIGHT = 'Copyright (C) 2012, Salvatore Sanfilippo',
  _DESCRIPTION = 'MessagePack C implementation for Lua',
}
