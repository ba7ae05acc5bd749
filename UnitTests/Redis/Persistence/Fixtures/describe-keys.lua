-- Redis's own reading of every key in databases 0 and 1, one line per key, sorted:
-- "db type encoding key-hex deadline items...", items in hex (sets and hashes sorted, sorted sets as member-hex:score
-- in rank order); the deadline is -1 when there is none. Run with redis-cli --raw --eval (make-fixtures.sh,
-- make-aof-fixtures.sh).
local function hex(s) return (s:gsub(".", function(c) return string.format("%02x", string.byte(c)) end)) end
local lines = {}
for db = 0, 1 do
  redis.call("SELECT", db)
  for _, key in ipairs(redis.call("KEYS", "*")) do
    local kind = redis.call("TYPE", key)["ok"]
    local items = {}
    if kind == "string" then items = {hex(redis.call("GET", key))}
    elseif kind == "list" then for _, e in ipairs(redis.call("LRANGE", key, 0, -1)) do table.insert(items, hex(e)) end
    elseif kind == "set" then for _, e in ipairs(redis.call("SMEMBERS", key)) do table.insert(items, hex(e)) end; table.sort(items)
    elseif kind == "hash" then
      local all = redis.call("HGETALL", key)
      for i = 1, #all, 2 do table.insert(items, hex(all[i]) .. "=" .. hex(all[i + 1])) end
      table.sort(items)
    elseif kind == "zset" then
      local all = redis.call("ZRANGE", key, 0, -1, "WITHSCORES")
      for i = 1, #all, 2 do table.insert(items, hex(all[i]) .. ":" .. all[i + 1]) end
    end
    table.insert(lines, table.concat({db, kind, redis.call("OBJECT", "ENCODING", key), hex(key),
      redis.call("PEXPIRETIME", key), table.concat(items, " ")}, " "))
  end
end
table.sort(lines)
return table.concat(lines, "\n")
