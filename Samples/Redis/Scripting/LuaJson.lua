-- cjson as Redis bundles it (lua-cjson 2.1 with its defaults): encode and decode, numbers as %.14g, null as the
-- light userdata cjson.null, arrays told from objects by their keys. Called with cjson.null; returns the library.
local null = ...
local byte, char, format, concat = string.byte, string.char, string.format, table.concat
local fail = function(message) error(message, 0) end

local escapes = { ['"'] = '\\"', ['\\'] = '\\\\', ['/'] = '\\/', ['\b'] = '\\b', ['\f'] = '\\f', ['\n'] = '\\n',
  ['\r'] = '\\r', ['\t'] = '\\t' }
local function escape(s)
  return '"' .. s:gsub('[%c"\\/]', function(c) return escapes[c] or format('\\u%04x', byte(c)) end) .. '"'
end

-- lua-cjson's settings, changed by its configuration functions (below) for every later script of this Lua state.
local settings = { keep_buffer = true, encode_max_depth = 1000, decode_max_depth = 1000, encode_invalid_numbers = false,
  decode_invalid_numbers = true, sparse_convert = false, sparse_ratio = 2, sparse_safe = 10, precision = 14 }

local function number(n)
  if n ~= n or n == math.huge or n == -math.huge then
    local invalid = settings.encode_invalid_numbers
    if invalid == 'null' then return 'null' end
    if not invalid then fail('Cannot serialise number: must not be NaN or Inf') end
    if n ~= n then return 'nan' end
  end
  return format('%.' .. settings.precision .. 'g', n)
end

-- A table is an array when every key is a positive integer and it is not too sparse; its length, or -1.
local function array_length(t)
  local max, items = 0, 0
  for k in pairs(t) do
    if math.type(k) == nil or k < 1 or k ~= math.floor(k) then return -1 end
    if k > max then max = k end
    items = items + 1
  end
  if settings.sparse_ratio > 0 and max > items * settings.sparse_ratio and max > settings.sparse_safe then
    if not settings.sparse_convert then fail('Cannot serialise table: excessively sparse array') end
    return -1
  end
  return max
end

local encode_value
local function encode_table(t, depth, out)
  if depth > settings.encode_max_depth then fail(format('Cannot serialise, excessive nesting (%d)', depth)) end
  local length = array_length(t)
  if length > 0 then
    out[#out + 1] = '['
    for i = 1, length do
      if i > 1 then out[#out + 1] = ',' end
      encode_value(t[i], depth, out)
    end
    out[#out + 1] = ']'
    return
  end
  out[#out + 1] = '{'
  local first = true
  for k, v in pairs(t) do
    if not first then out[#out + 1] = ',' end
    first = false
    if type(k) == 'string' then out[#out + 1] = escape(k)
    elseif type(k) == 'number' then out[#out + 1] = '"' .. number(k) .. '"'
    else fail('Cannot serialise table: table key must be a number or string') end
    out[#out + 1] = ':'
    encode_value(v, depth, out)
  end
  out[#out + 1] = '}'
end

encode_value = function(v, depth, out)
  local kind = type(v)
  if kind == 'string' then out[#out + 1] = escape(v)
  elseif kind == 'number' then out[#out + 1] = number(v)
  elseif kind == 'boolean' then out[#out + 1] = tostring(v)
  elseif kind == 'nil' or v == null then out[#out + 1] = 'null'
  elseif kind == 'table' then encode_table(v, depth + 1, out)
  else fail('Cannot serialise ' .. kind .. ': type not supported') end
end

local function encode(...)
  if select('#', ...) ~= 1 then error("bad argument #1 to 'encode' (expected 1 argument)", 2) end
  local out = {}
  encode_value((...), 0, out)
  return concat(out)
end

local function utf8_of(code)
  if code < 0x80 then return char(code) end
  if code < 0x800 then return char(0xC0 | code >> 6, 0x80 | code & 0x3F) end
  if code < 0x10000 then return char(0xE0 | code >> 12, 0x80 | code >> 6 & 0x3F, 0x80 | code & 0x3F) end
  return char(0xF0 | code >> 18, 0x80 | code >> 12 & 0x3F, 0x80 | code >> 6 & 0x3F, 0x80 | code & 0x3F)
end

local function decode(text)
  if type(text) ~= 'string' then error("bad argument #1 to 'decode' (string expected, got " .. type(text) .. ')', 2) end
  local at, depth = 1, 0
  local function invalid(what) fail(format('Expected %s but found invalid token at character %d', what, at)) end
  local function descend()
    depth = depth + 1
    if depth > settings.decode_max_depth then fail(format('Found too many nested data structures (%d) at character %d', depth, at)) end
  end
  local function skip() at = text:find('[^ \t\r\n]', at) or #text + 1 end
  local value
  local function string_at()
    local parts, from = {}, at + 1
    while true do
      local stop = text:find('["\\]', from)
      if not stop then fail(format('Expected value but found unexpected end of string at character %d', #text + 1)) end
      parts[#parts + 1] = text:sub(from, stop - 1)
      if text:sub(stop, stop) == '"' then at = stop + 1; return concat(parts) end
      local e = text:sub(stop + 1, stop + 1)
      if e == 'u' then
        local code = tonumber(text:sub(stop + 2, stop + 5), 16)
        if not code then at = stop; invalid('value') end
        from = stop + 6
        if code >= 0xD800 and code < 0xDC00 and text:sub(from, from + 1) == '\\u' then
          local low = tonumber(text:sub(from + 2, from + 5), 16)
          if low and low >= 0xDC00 and low < 0xE000 then
            code = 0x10000 + (code - 0xD800) * 0x400 + (low - 0xDC00)
            from = from + 6
          end
        end
        parts[#parts + 1] = utf8_of(code)
      else
        local plain = ({ b = '\b', f = '\f', n = '\n', r = '\r', t = '\t', ['"'] = '"', ['\\'] = '\\', ['/'] = '/' })[e]
        if not plain then at = stop; invalid('value') end
        parts[#parts + 1] = plain
        from = stop + 2
      end
    end
  end
  value = function()
    skip()
    local c = text:sub(at, at)
    if c == '{' then
      local t = {}
      descend()
      at = at + 1
      skip()
      if text:sub(at, at) == '}' then at, depth = at + 1, depth - 1; return t end
      while true do
        skip()
        if text:sub(at, at) ~= '"' then invalid('object key string') end
        local k = string_at()
        skip()
        if text:sub(at, at) ~= ':' then invalid('colon') end
        at = at + 1
        t[k] = value()
        skip()
        local d = text:sub(at, at)
        at = at + 1
        if d == '}' then depth = depth - 1; return t end
        if d ~= ',' then at = at - 1; invalid('comma or object end') end
      end
    elseif c == '[' then
      local t = {}
      descend()
      at = at + 1
      skip()
      if text:sub(at, at) == ']' then at, depth = at + 1, depth - 1; return t end
      while true do
        t[#t + 1] = value()
        skip()
        local d = text:sub(at, at)
        at = at + 1
        if d == ']' then depth = depth - 1; return t end
        if d ~= ',' then at = at - 1; invalid('comma or array end') end
      end
    elseif c == '"' then return string_at()
    elseif text:sub(at, at + 3) == 'true' then at = at + 4; return true
    elseif text:sub(at, at + 4) == 'false' then at = at + 5; return false
    elseif text:sub(at, at + 3) == 'null' then at = at + 4; return null
    end
    local literal = text:match('^-?%d+%.?%d*[eE]?[-+]?%d*', at)
    if not literal or literal == '' or literal == '-' then invalid('value') end
    at = at + #literal
    return math.tointeger(tonumber(literal)) or tonumber(literal)
  end
  local result = value()
  skip()
  if at <= #text then invalid('the end') end
  return result
end

-- The configuration functions, as lua-cjson's: each sets what it is given (nil leaves it) and returns the settings.
local function arguments(name, count, ...)
  if select('#', ...) > count then fail(format("bad argument #%d to '%s' (found too many arguments)", count + 1, name)) end
end

local function integer_option(name, key, min, max)
  return function(...)
    arguments(name, 1, ...)
    local value = ...
    if value ~= nil then
      local n = math.tointeger(tonumber(value))
      if not n or n < min or n > max then fail(format("bad argument #1 to '%s' (expected integer between %d and %d)", name, min, max)) end
      settings[key] = n
    end
    return settings[key]
  end
end

-- on/off (or true/false), and for encode_invalid_numbers also "null".
local function enum_option(name, key, allow_null)
  return function(...)
    arguments(name, 1, ...)
    local value = ...
    if value ~= nil then
      if type(value) == 'boolean' then settings[key] = value
      elseif value == 'on' or value == 'off' then settings[key] = value == 'on'
      elseif allow_null and value == 'null' then settings[key] = 'null'
      else fail(format("bad argument #1 to '%s' (invalid option '%s')", name, tostring(value))) end
    end
    return settings[key]
  end
end

local sparse_ratio, sparse_safe = integer_option('encode_sparse_array', 'sparse_ratio', 0, 0x7fffffff),
  integer_option('encode_sparse_array', 'sparse_safe', 0, 0x7fffffff)

return {
  encode = encode, decode = decode, null = null, _NAME = 'cjson', _VERSION = '2.1.0',
  encode_keep_buffer = enum_option('encode_keep_buffer', 'keep_buffer'),
  encode_max_depth = integer_option('encode_max_depth', 'encode_max_depth', 1, 0x7fffffff),
  decode_max_depth = integer_option('decode_max_depth', 'decode_max_depth', 1, 0x7fffffff),
  encode_number_precision = integer_option('encode_number_precision', 'precision', 1, 14),
  encode_invalid_numbers = enum_option('encode_invalid_numbers', 'encode_invalid_numbers', true),
  decode_invalid_numbers = enum_option('decode_invalid_numbers', 'decode_invalid_numbers'),
  encode_sparse_array = function(...)
    arguments('encode_sparse_array', 3, ...)
    local convert, ratio, safe = ...
    return enum_option('encode_sparse_array', 'sparse_convert')(convert), sparse_ratio(ratio), sparse_safe(safe)
  end,
}
