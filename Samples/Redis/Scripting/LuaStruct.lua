-- struct as Redis bundles it (Roberto Ierusalimschy's lua_struct.c, built for x86-64 Linux): pack, unpack and size
-- with its format letters, little-endian and unaligned unless the format says otherwise ('>', '<', '!n'). Lua 5.1 had
-- only doubles: numbers are read as integers, or as floats past a 64-bit integer. Returns the library.
local spack, sunpack, byte, char, sub, find, format = string.pack, string.unpack, string.byte, string.char, string.sub, string.find, string.format
local rep, concat, tointeger = string.rep, table.concat, math.tointeger
local MAXINTSIZE, MAXALIGN = 32, 8
local fail = function(message) error(message, 0) end
local function argerror(n, name, message) fail(format("bad argument #%d to '%s' (%s)", n, name, message)) end

-- The number the format has at `at` (and where it ends), or `default` when there is none.
local function number_at(fmt, at, default)
  local digits = fmt:match('^%d+', at)
  if not digits then return default, at end
  local n = tonumber(digits)
  if n > 0x7fffffff then fail('integral size overflow') end
  return n, at + #digits
end

local fixed = { b = 1, B = 1, h = 2, H = 2, l = 8, L = 8, T = 8, f = 4, d = 8, x = 1 }

-- The size of option `opt` (its number read from the format), and where the format goes on.
local function option_size(opt, fmt, at)
  if fixed[opt] then return fixed[opt], at end
  if opt == 'c' then return number_at(fmt, at, 1) end
  if opt == 'i' or opt == 'I' then
    local size
    size, at = number_at(fmt, at, 4)
    if size > MAXINTSIZE then fail(format('integral size %d is larger than limit of %d', size, MAXINTSIZE)) end
    return size, at
  end
  return 0, at
end

local function padding(length, align, opt, size)
  if size == 0 or opt == 'c' then return 0 end
  if size > align then size = align end
  return (size - (length & (size - 1))) & (size - 1)
end

-- Endianness and alignment: what '>', '<', '!n' and ' ' change; any other letter is not an option.
local function control(opt, fmt, at, header, name)
  if opt == ' ' then return at end
  if opt == '>' then header.little = false return at end
  if opt == '<' then header.little = true return at end
  if opt == '!' then
    local align
    align, at = number_at(fmt, at, MAXALIGN)
    if align <= 0 or align & (align - 1) ~= 0 then fail(format('alignment %d is not a power of 2', align)) end
    header.align = align
    return at
  end
  argerror(1, name, format("invalid format option '%s'", opt))
end

local function integer_bytes(n, size, little)
  local v
  if n < 0 then v = tointeger(n >= -2^63 and math.ceil(n) or -2^63) or math.mininteger
  elseif n >= 2^63 then v = tointeger(n - 2^64) or -1
  else v = tointeger(math.floor(n)) end
  local bytes = {}
  for i = 1, size do bytes[i] = i <= 8 and (v >> (8 * (i - 1))) & 0xff or 0 end
  local text = char(table.unpack(bytes))
  return little and text or text:reverse()
end

local function pack(fmt, ...)
  if type(fmt) ~= 'string' then argerror(1, 'pack', 'string expected, got ' .. type(fmt)) end
  local header, out, total, arg, at = { little = true, align = 1 }, {}, 0, 1, 1
  local args = table.pack(...)
  local function next_arg(kind)
    local v = args[arg]
    arg = arg + 1
    if kind == 'number' then
      local n = tonumber(v)
      if n == nil then argerror(arg, 'pack', 'number expected, got ' .. type(v)) end -- a missing one is nil: lua_struct
      return n                                                                        -- pushed a mark after the arguments
    end
    if type(v) == 'number' then return tostring(v) end
    if type(v) ~= 'string' then argerror(arg, 'pack', 'string expected, got ' .. type(v)) end
    return v
  end
  while at <= #fmt do
    local opt = sub(fmt, at, at)
    local size
    size, at = option_size(opt, fmt, at + 1)
    local pad = padding(total, header.align, opt, size)
    total = total + pad
    if pad > 0 then out[#out + 1] = rep('\0', pad) end
    if find('bBhHlLTiI', opt, 1, true) then out[#out + 1] = integer_bytes(next_arg('number'), size, header.little)
    elseif opt == 'x' then out[#out + 1] = '\0'
    elseif opt == 'f' or opt == 'd' then out[#out + 1] = spack((header.little and '<' or '>') .. opt, next_arg('number'))
    elseif opt == 'c' or opt == 's' then
      local s = next_arg('string')
      if size == 0 then size = #s end
      if #s < size then argerror(arg + 1, 'pack', 'string too short') end -- sic: one past, as lua_struct's
      out[#out + 1] = sub(s, 1, size)
      if opt == 's' then out[#out + 1] = '\0'; size = size + 1 end
    else at = control(opt, fmt, at, header, 'pack') end
    total = total + size
  end
  return concat(out)
end

local function integer_from(data, at, size, little, signed)
  local v = 0
  for i = 0, size - 1 do
    local b = byte(data, little and at + size - 1 - i or at + i)
    v = (v << 8) | b
  end
  if signed and size < 8 and v & (1 << (size * 8 - 1)) ~= 0 then v = v | (-1 << (size * 8 - 1)) end
  if not signed and v < 0 then return v + 2^64 end -- an unsigned past int64: a float, as a double held it
  return v
end

local function unpack(fmt, data, position)
  if type(fmt) ~= 'string' then argerror(1, 'unpack', 'string expected, got ' .. type(fmt)) end
  if type(data) == 'number' then data = tostring(data) end
  if type(data) ~= 'string' then argerror(2, 'unpack', 'string expected, got ' .. (data == nil and 'no value' or type(data))) end
  local pos = position == nil and 1 or tonumber(position)
  if pos == nil then argerror(3, 'unpack', 'number expected, got ' .. type(position)) end
  pos = math.floor(pos)
  if pos <= 0 then argerror(3, 'unpack', 'offset must be 1 or greater') end
  pos = pos - 1
  local header, results, at, length = { little = true, align = 1 }, {}, 1, #data
  while at <= #fmt do
    local opt = sub(fmt, at, at)
    local size
    size, at = option_size(opt, fmt, at + 1)
    pos = pos + padding(pos, header.align, opt, size)
    if size > length or pos > length - size then argerror(2, 'unpack', 'data string too short') end
    if find('bBhHlLTiI', opt, 1, true) then
      results[#results + 1] = integer_from(data, pos + 1, size, header.little, opt == opt:lower())
    elseif opt == 'f' or opt == 'd' then
      results[#results + 1] = sunpack((header.little and '<' or '>') .. opt, data, pos + 1)
    elseif opt == 'c' then
      if size == 0 then
        if #results == 0 or type(results[#results]) ~= 'number' then fail("format 'c0' needs a previous size") end
        size = math.floor(table.remove(results))
        if size > length or pos > length - size then argerror(2, 'unpack', 'data string too short') end
      end
      results[#results + 1] = sub(data, pos + 1, pos + size)
    elseif opt == 's' then
      local zero = find(data, '\0', pos + 1, true)
      if not zero then fail('unfinished string in data') end
      results[#results + 1] = sub(data, pos + 1, zero - 1)
      size = zero - pos
    elseif opt ~= 'x' then at = control(opt, fmt, at, header, 'unpack') end
    pos = pos + size
  end
  results[#results + 1] = pos + 1
  return table.unpack(results)
end

local function size(fmt)
  if type(fmt) ~= 'string' then argerror(1, 'size', 'string expected, got ' .. type(fmt)) end
  local header, pos, at = { little = true, align = 1 }, 0, 1
  while at <= #fmt do
    local opt = sub(fmt, at, at)
    local n
    n, at = option_size(opt, fmt, at + 1)
    pos = pos + padding(pos, header.align, opt, n)
    if opt == 's' then argerror(1, 'size', "option 's' has no fixed size")
    elseif opt == 'c' and n == 0 then argerror(1, 'size', "option 'c0' has no fixed size") end
    if not opt:match('%w') then at = control(opt, fmt, at, header, 'size') end
    pos = pos + n
  end
  return pos
end

return { pack = pack, unpack = unpack, size = size }
