-- Builds the environments Redis 7.0 gives scripts, over Lua 5.4's standard library. Called once per Lua state with
-- the native functions (call, sha1hex, log, setresp, acl_check), cjson, cmsgpack and struct; returns what the
-- engine keeps.
local native = ...
local std_load, std_rawset, std_error, std_setmetatable = load, rawset, error, setmetatable
local readonly_tables = setmetatable({}, { __mode = 'k' })

local function refuse() std_error('Attempt to modify a readonly table', 2) end

-- A read-only view of t: reads pass through, writes (also rawset) raise Redis's error.
local function readonly(t)
  local view = std_setmetatable({}, {
    __index = t, __newindex = refuse, __metatable = false,
    __pairs = function() return next, t, nil end, __len = function() return #t end,
  })
  readonly_tables[view] = true
  return view
end

local function copy(t, extra)
  local c = {}
  for k, v in pairs(t) do c[k] = v end
  for k, v in pairs(extra or {}) do c[k] = v end
  return c
end

-- Redis's PRNG (rand.c, drand48's generator and initial state), for math.random and math.randomseed: repeatable from
-- the start of the process, as Redis 7.0 does not reseed it per script. Here each loop has its own sequence.
local rand_state = 0x1234ABCD330E
local function rand_seed(seed) rand_state = ((math.tointeger(seed) or 0) << 16 | 0x330E) & 0xFFFFFFFFFFFF end
local function rand_next()
  rand_state = (0x5DEECE66D * rand_state + 0xB) & 0xFFFFFFFFFFFF
  return rand_state >> 17
end
local function random(m, n)
  local r = (rand_next() % 0x7FFFFFFF) / 0x7FFFFFFF
  if m == nil then return r end
  if n == nil then
    if m < 1 then std_error("bad argument #1 to 'random' (interval is empty)", 2) end
    return math.floor(r * m) + 1
  end
  if m > n then std_error("bad argument #2 to 'random' (interval is empty)", 2) end
  return math.floor(r * (n - m + 1)) + m
end

-- The bit library (LuaBitOp): 32-bit operations whose results are signed, as Lua 5.1's numbers held them.
local function tobit(x)
  x = math.tointeger(x) or math.floor(x)
  x = x & 0xFFFFFFFF
  if x >= 0x80000000 then x = x - 0x100000000 end
  return x
end
local function fold(op) return function(x, ...) x = tobit(x); for i = 1, select('#', ...) do x = tobit(op(x, tobit((select(i, ...))))) end; return x end end
local bit = {
  tobit = tobit,
  bnot = function(x) return tobit(~tobit(x)) end,
  band = fold(function(a, b) return a & b end),
  bor = fold(function(a, b) return a | b end),
  bxor = fold(function(a, b) return a ~ b end),
  lshift = function(x, n) return tobit((tobit(x) & 0xFFFFFFFF) << (tobit(n) & 31)) end,
  rshift = function(x, n) return tobit((tobit(x) & 0xFFFFFFFF) >> (tobit(n) & 31)) end,
  arshift = function(x, n) return tobit(tobit(x) >> (tobit(n) & 31) | (tobit(x) < 0 and ~(0xFFFFFFFF >> (tobit(n) & 31)) or 0)) end,
  rol = function(x, n) x = tobit(x) & 0xFFFFFFFF; n = tobit(n) & 31; return tobit(x << n | x >> (32 - n)) end,
  ror = function(x, n) x = tobit(x) & 0xFFFFFFFF; n = tobit(n) & 31; return tobit(x >> n | x << (32 - n)) end,
  bswap = function(x) x = tobit(x) & 0xFFFFFFFF; return tobit((x >> 24) | (x >> 8 & 0xFF00) | (x << 8 & 0xFF0000) | (x << 24)) end,
  tohex = function(x, n)
    n = n or 8
    local upper = n < 0
    if upper then n = -n end
    local s = string.format(upper and '%08X' or '%08x', tobit(x) & 0xFFFFFFFF)
    return s:sub(-n)
  end,
}

-- As Redis's luaPushErrorBuff: a message whose first word is not followed by more (no code given) gets ERR.
local function error_reply(...)
  local e = ...
  if select('#', ...) ~= 1 or type(e) ~= 'string' then return { err = 'ERR wrong number or type of arguments' } end
  if e:sub(1, 1) == '-' then e = e:sub(2) end
  if not e:find(' ', 1, true) then e = 'ERR ' .. e end
  return { err = e }
end
local function status_reply(...)
  local s = ...
  if select('#', ...) ~= 1 or type(s) ~= 'string' then return { err = 'ERR wrong number or type of arguments' } end
  return { ok = s }
end

-- Errors the redis library raises: tables, as Redis's luaPushError makes them (no position is added to a table).
local function raise(message) std_error({ err = 'ERR ' .. message }) end

local log_levels = { LOG_DEBUG = 0, LOG_VERBOSE = 1, LOG_NOTICE = 2, LOG_WARNING = 3 }
local function log(...)
  local n = select('#', ...)
  if n < 2 then raise('redis.log() requires two arguments or more.') end
  local level = ...
  if type(level) ~= 'number' then raise('First argument must be a number (log level).') end
  if level < 0 or level > 3 then raise('Invalid debug level.') end
  local parts = {}
  for i = 2, n do
    local part = select(i, ...)
    if type(part) == 'string' or type(part) == 'number' then parts[#parts + 1] = tostring(part) end
  end
  native.log(math.floor(level), table.concat(parts, ' '))
end

local function version_fields(t)
  t.REDIS_VERSION = native.version
  t.REDIS_VERSION_NUM = native.version_num
  for k, v in pairs(log_levels) do t[k] = v end
  t.log = log
  return t
end

local pack, unpack = table.pack, table.unpack

-- f, made to raise its errors from a C function (coroutine.wrap's) rather than a Lua one: a C function keeps its
-- caller's frame even when called as `return redis.call(...)` (a Lua function would replace it, being tail-called),
-- so an error can name the script's line, as Redis's C functions let it. Returns a getter: after an error the
-- coroutine is dead and the next lookup makes another.
local function raising(f)
  local current
  return function()
    if current == nil then
      current = coroutine.wrap(function(...)
        local args = pack(...)
        while true do
          local results = pack(pcall(f, unpack(args, 1, args.n)))
          if not results[1] then current = nil; std_error(results[2], 0) end
          args = pack(coroutine.yield(unpack(results, 2, results.n)))
        end
      end)
    end
    return current
  end
end

local redis_raising = {
  call = raising(function(...)
    local reply, failed = native.call(true, ...)
    if failed then std_error(reply) end
    return reply
  end),
  log = raising(log),
  sha1hex = raising(function(...)
    if select('#', ...) ~= 1 then raise('wrong number of arguments') end
    local s = ...
    if type(s) ~= 'string' and type(s) ~= 'number' then s = '' end
    return native.sha1hex(tostring(s))
  end),
  setresp = raising(function(...)
    if select('#', ...) ~= 1 then raise('redis.setresp() requires one argument.') end
    local resp = ...
    if resp ~= 2 and resp ~= 3 then raise('RESP version must be 2 or 3.') end
    native.setresp(math.floor(resp))
  end),
  acl_check_cmd = raising(function(...)
    if select('#', ...) == 0 then raise('Please specify at least one argument for this redis lib call') end
    local allowed, why = native.acl_check(...)
    if allowed == nil then raise(why) end
    return allowed
  end),
}

local redis_fields = version_fields({
  pcall = function(...) return (native.call(false, ...)) end,
  error_reply = error_reply,
  status_reply = status_reply,
  replicate_commands = function() return true end,
  set_repl = function() end,
  breakpoint = function() return false end,
  debug = function() end,
  REPL_NONE = 0, REPL_SLAVE = 1, REPL_REPLICA = 1, REPL_AOF = 2, REPL_ALL = 3,
})
-- A read-only library whose raising functions are looked up through their getters.
local function library(fields, raising_getters)
  for k in pairs(raising_getters) do fields[k] = nil end
  local view = std_setmetatable({}, {
    __index = function(_, k)
      local get = raising_getters[k]
      if get then return get() end
      return fields[k]
    end,
    __newindex = refuse, __metatable = false,
    __pairs = function()
      local all = copy(fields)
      for k, get in pairs(raising_getters) do all[k] = get() end
      return next, all, nil
    end,
  })
  readonly_tables[view] = true
  return view
end

local redis = library(redis_fields, redis_raising)
-- cjson's, cmsgpack's and struct's errors are strings: raised from coroutine.wrap's C function they get the script's
-- position, as the C libraries' do.
local function raising_functions(lib)
  local getters = {}
  for k, v in pairs(lib) do if type(v) == 'function' then getters[k] = raising(v) end end
  return getters
end
local cjson = library(copy(native.cjson), raising_functions(native.cjson))
local cmsgpack = library(copy(native.cmsgpack), raising_functions(native.cmsgpack))
local struct = library(copy(native.struct), raising_functions(native.struct))


-- One table of globals: Lua 5.1's base library as Redis leaves it (no print, dofile, loadfile, require, module,
-- setfenv, getfenv, rawlen, utf8, os, io, debug), with unpack and loadstring as 5.1 spells them.
local function globals(env_of_loaded)
  local g = {
    assert = assert, collectgarbage = collectgarbage, error = error, getmetatable = getmetatable, ipairs = ipairs,
    next = next, pairs = pairs, pcall = pcall, rawequal = rawequal, rawget = rawget, select = select,
    setmetatable = function(t, mt)
      if readonly_tables[t] then std_error('Attempt to modify a readonly table', 0) end
      return std_setmetatable(t, mt)
    end,
    tonumber = tonumber, tostring = tostring, type = type, xpcall = xpcall,
    _VERSION = _VERSION, unpack = table.unpack,
    gcinfo = function() return math.floor(collectgarbage('count')) end,
    rawset = function(t, k, v)
      if readonly_tables[t] then std_error('Attempt to modify a readonly table', 0) end
      return std_rawset(t, k, v)
    end,
    coroutine = readonly(copy(coroutine)),
    string = readonly(copy(string, { gfind = string.gmatch })),
    table = readonly(copy(table, { getn = function(t) return #t end })),
    math = readonly(copy(math, { pow = function(a, b) return a ^ b end, mod = math.fmod, random = random,
      randomseed = rand_seed })),
    bit = readonly(bit),
    cjson = cjson,
    cmsgpack = cmsgpack,
    struct = struct,
    redis = redis,
  }
  g.loadstring = function(s, name) return std_load(s, name, 't', env_of_loaded()) end
  g.load = g.loadstring
  return g
end

-- A global environment: reading a name that is not there, or writing any, raises Redis's errors.
local function environment(target)
  local env = std_setmetatable({}, {
    __index = function(_, k)
      local v = target()[k]
      if v == nil then std_error("Script attempted to access nonexistent global variable '" .. tostring(k) .. "'", 2) end
      return v
    end,
    __newindex = refuse, __metatable = readonly({}), -- getmetatable(_G) is a table, read-only as Redis's
    __pairs = function() return next, target(), nil end,
  })
  readonly_tables[env] = true
  return env
end

local eval_env
local eval_globals = globals(function() return eval_env end)
eval_env = environment(function() return eval_globals end)
eval_globals._G = eval_env

-- Functions: a library's code runs with only redis.register_function, log and the version; the functions it
-- registers run with full globals (but no KEYS or ARGV: they receive keys and args).
local function_env
local function_globals = globals(function() return function_env end)
local pending, loading = {}, false
local known_flags = { ['no-writes'] = true, ['allow-oom'] = true, ['allow-stale'] = true, ['no-cluster'] = true,
  ['allow-cross-slot-keys'] = true }
local load_redis = version_fields({
  register_function = function(...)
    -- A function that kept the load's redis table (as a local) still finds it when it runs.
    if not loading then raise('redis.register_function can only be called on FUNCTION LOAD command') end
    local name, callback, flags, description
    local first = ...
    if select('#', ...) == 1 then
      if type(first) ~= 'table' then
        raise('calling redis.register_function with a single argument is only applicable to Lua table (representing named arguments).')
      end
      for k, v in pairs(first) do
        if k == 'function_name' then
          if type(v) ~= 'string' then raise('function_name argument given to redis.register_function must be a string') end
        elseif k == 'description' then
          if type(v) ~= 'string' then raise('description argument given to redis.register_function must be a string') end
        elseif k == 'callback' then
          if type(v) ~= 'function' then raise('callback argument given to redis.register_function must be a function') end
        elseif k == 'flags' then
          if type(v) ~= 'table' then raise('flags argument to redis.register_function must be a table representing function flags') end
        else
          raise('unknown argument given to redis.register_function')
        end
      end
      name, callback, flags, description = first.function_name, first.callback, first.flags, first.description
      if name == nil then raise('redis.register_function must get a function name argument') end
      if callback == nil then raise('redis.register_function must get a callback argument') end
    else
      if select('#', ...) ~= 2 then raise('wrong number of arguments to redis.register_function') end
      name, callback = ...
      if type(name) ~= 'string' then raise('first argument to redis.register_function must be a string') end
      if type(callback) ~= 'function' then raise('second argument to redis.register_function must be a function') end
    end
    if not name:match('^[%w_]+$') then
      -- Redis 7.0 says "Library" here too.
      raise('Library names can only contain letters, numbers, or underscores(_) and must be at least one character long')
    end
    local names = {}
    for _, f in ipairs(flags or {}) do
      if type(f) ~= 'string' or not known_flags[f] then raise('unknown flag given') end
      names[#names + 1] = f
    end
    for _, f in ipairs(pending) do
      if f.name == name then raise('Function already exists in the library') end
    end
    pending[#pending + 1] = { name = name, callback = callback, flags = table.concat(names, ','), description = description }
  end,
})
local load_globals = { redis = environment(function() return load_redis end) }
function_env = environment(function() return loading and load_globals or function_globals end)
function_globals._G = function_env

return {
  eval_env = eval_env,
  function_env = function_env,
  set_keys_argv = function(keys, argv) eval_globals.KEYS = keys; eval_globals.ARGV = argv end,
  begin_load = function() pending, loading = {}, true end,
  end_load = function() loading = false; return pending end,
}
