namespace Loop.IntegrationTests.Redis;

/// <summary>
/// Scripting against the real redis-server 7.0: seeded, generated EVAL, EVALSHA, EVAL_RO, SCRIPT, FUNCTION and FCALL
/// commands go to both servers in RESP2 and RESP3, and every reply must be the same RESP (404 commands per seed, 2020
/// in all). The scripts convert values both ways (numbers, strings, booleans, nil, nested tables that stop at a nil,
/// ok/err tables, RESP3's maps, sets and doubles after redis.setresp(3)), pack and unpack MessagePack and binary structs, run commands through redis.call and
/// redis.pcall (errors, wrong types, unknown and refused commands), read KEYS and ARGV, and break the sandbox's rules.
/// Left out, being known differences: Lua's own messages for syntax errors (5.4 words some differently) and the VM's
/// runtime messages (5.4: "attempt to index a nil value (local 't')"; 5.1: "attempt to index local 't' (a nil
/// value)"), redis.REDIS_VERSION, floats turned to text by Lua (5.4 writes 3.0 where 5.1 writes 3), FUNCTION LIST of
/// several libraries or functions (Redis lists them in its hash order, seeded at random).
/// </summary>
public sealed class ScriptingDifferentialTests
{
    [Theory]
    [InlineData(20261127, 2)]
    [InlineData(7, 3)]
    [InlineData(31, 2)]
    [InlineData(101, 3)]
    [InlineData(2024, 2)]
    public async Task Generated_scripts_answer_as_redis_does(int seed, int protocol)
    {
        var script = new Script(new Random(seed)).Commands(400).ToList();
        await using var pair = await ServerPair.StartAsync(protocol);
        var (ours, theirs) = (pair.Ours, pair.Theirs);
        for (var i = 0; i < script.Count; i++)
        {
            var expected = await theirs.CommandAsync(script[i]);
            var actual = await ours.CommandAsync(script[i]);
            if (expected != actual)
            {
                Assert.Fail($"command {i}: {string.Join(' ', script[i])}\nredis-server: {Escaped(expected)}\nloop-redis:   {Escaped(actual)}");
            }
        }
    }

    private static string Escaped(string reply) => reply.Replace("\r", "\\r").Replace("\n", "\\n");

    /// <summary>Random scripting commands from a seeded generator.</summary>
    private sealed class Script(Random random)
    {
        private static readonly string[] Values = ["1", "-7", "abc", "", "3.5", "9223372036854775807", "x y", "0"];
        private static readonly string[] Keys = ["k1", "k2", "h", "l", "z", "missing"];

        // Lua expressions whose value a script returns: every conversion to a reply.
        private static readonly string[] Returns =
        [
            "1", "-42", "3.99", "-3.99", "0.5", "1e10", "'text'", "''", "true", "false", "nil", "{}", "{1, 2, 3}",
            "{1, nil, 3}", "{1, {2, {3, 'x'}}, false, true}", "{'a', 'b', nil}", "{ok='FINE'}", "{err='MYERR bad thing'}",
            "{err='no code'}", "redis.status_reply('DONE')", "redis.error_reply('ERR custom')", "redis.error_reply('-MINUS x')",
            "redis.error_reply()", "redis.status_reply(1)", "{ok='line\\r\\nbreak'}", "{err='line\\nbreak'}",
            "{double=3.25}", "{map={a=1}}", "{set={x=true}}", "{1, 2, err='E wins'}", "{ok='O', err='E'}", "#KEYS", "#ARGV",
            "KEYS", "ARGV", "KEYS[1]", "ARGV[2]", "tonumber(ARGV[1])", "{KEYS[1], ARGV[1]}", "string.rep('ab', 3)",
            "string.format('%d-%s', 5, 'x')", "table.concat({'a', 'b'}, ',')", "unpack({7, 8})", "select('#', 1, 2, 3)",
            "type(nil)", "math.floor(7.9)", "math.max(3, 9, 2)", "bit.band(12, 10)", "bit.bor(12, 10)", "bit.bxor(12, 10)",
            "bit.lshift(1, 4)", "bit.rshift(256, 4)", "bit.tohex(255)", "bit.bnot(0)", "bit.tobit(4294967295)",
            "cjson.encode({1, 2, 3})", "cjson.encode({a='b'})", "cjson.encode('q\"uote/')", "cjson.encode({})",
            "cjson.decode('[1, 2, 3]')", "cjson.decode('{\"a\":[1,2]}').a", "cjson.decode('\"s\"')", "cjson.encode(cjson.decode('[true,false]'))",
            "redis.sha1hex('abc')", "redis.sha1hex('')", "type(redis.call)", "type(cjson.null)", "math.random(1000)",
            "{math.random(10), math.random(10), math.random()}", "string.len(ARGV[1] or '')", "tostring(12)", "tostring(true)",
            "type(os)", "type(io)", "type(loadfile)", "type(dofile)", "type(print)", "type(unpack)", "type(bit)", "type(cjson)",
            "redis.LOG_WARNING", "redis.LOG_DEBUG", "redis.REPL_ALL", "pcall(error, 'x')",
            "cmsgpack.pack(300, -5, 'str', true, 0.1, 2^40, -2^40, 3.0, nil)", "cmsgpack.pack({1, {2, {a='b'}}, false})",
            "cmsgpack.pack(string.rep('x', 40))", "cmsgpack.unpack(cmsgpack.pack({1, 2, {3}}))", "{cmsgpack.unpack(cmsgpack.pack(1, 'a', 3))}",
            "{cmsgpack.unpack_one(cmsgpack.pack(1, 2), 0)}", "{cmsgpack.unpack_limit(cmsgpack.pack(1, 2, 3), 2, 1)}",
            "cmsgpack.unpack(cmsgpack.pack({k={1, 2}})).k", "cmsgpack._VERSION", "type(cmsgpack)",
            "cjson.encode_max_depth()", "{cjson.encode_sparse_array()}", "cjson.encode_keep_buffer()", "cjson.encode_number_precision()",
            "struct.pack('>bhi', -1, 258, 7)", "struct.pack('!4bdc3s', 1, 0.5, 'abcd', 'z')", "{struct.unpack('<Hi3', 'abcde')}",
            "{struct.unpack('bc0', struct.pack('b', 2) .. 'xyz')}", "struct.size('!8bhd')", "type(struct)",
        ];

        // Statements a script runs before returning: writes, reads and failures through redis.call and pcall.
        private static readonly string[] Calls =
        [
            "redis.call('SET', KEYS[1], ARGV[1])", "redis.call('INCR', KEYS[1])", "redis.call('GET', KEYS[1])",
            "redis.call('DEL', KEYS[1])", "redis.call('LPUSH', 'l', ARGV[1], 'b')", "redis.call('LRANGE', 'l', 0, -1)",
            "redis.call('HSET', 'h', 'f', ARGV[1])", "redis.call('HGETALL', 'h')", "redis.call('ZADD', 'z', 1.5, 'm')",
            "redis.call('ZRANGE', 'z', 0, -1, 'WITHSCORES')", "redis.call('ZSCORE', 'z', 'm')", "redis.call('EXISTS', 'k1', 'k2')",
            "redis.call('TYPE', KEYS[1])", "redis.call('PING')", "redis.call('ECHO', 5)", "redis.call('SET', 'k2', 12.5)",
            "redis.call('SET', 'k2', 7)", "redis.call('MGET', 'k1', 'k2', 'missing')", "redis.call('HMGET', 'h', 'f', 'nope')",
            "redis.call('SMEMBERS', 'missing')", "redis.call('LPOP', 'missing')", "redis.call('XADD', 'missing', 'NOMKSTREAM', '*', 'a', 1)",
            "redis.pcall('INCR', 'h')", "redis.pcall('NOPE')", "redis.pcall('GET')", "redis.pcall('GET', {})",
            "redis.pcall()", "redis.pcall('SUBSCRIBE', 'c')", "redis.pcall('MULTI')", "redis.pcall('EVAL', 'return 1', 0)",
            "redis.pcall('BLPOP', 'l', 0)", "redis.pcall('SET', 'k1', 'v', 'BOGUS')", "redis.pcall('HSET', 'h')",
        ];

        // Statements that fail the script: the error reply names the script and line.
        private static readonly string[] Failures =
        [
            "redis.call('NOPE')", "redis.call('INCR', 'h')", "redis.call('GET')", "redis.call('GET', nil)", "redis.call()",
            "redis.call('SUBSCRIBE', 'c')", "error('plain')", "error({err='TABLE failure'})", "error('no position', 0)",
            "undefined_global()", "x = 5", "redis.call('SET', KEYS[1])",
            "redis = nil", "string.rep = nil", "rawset(_G, 'y', 1)", "setmetatable(_G, {})", "redis.setresp(4)", "redis.setresp()",
            "redis.log(redis.LOG_WARNING)", "redis.log(99, 'x')", "redis.sha1hex()", "cjson.encode(function() end)",
            "redis.call('EVALSHA', 'abc', 0)", "loadstring('return 1')()", "error(nil)",
            "cmsgpack.pack()", "cmsgpack.unpack('\\193')", "cmsgpack.unpack('\\205\\1')", "cmsgpack.unpack_one('abc', 10)",
            "cmsgpack.pack = nil", "cjson.encode_max_depth(0)", "cjson.encode_invalid_numbers('maybe')",
            "struct.pack('b')", "struct.pack('z', 1)", "struct.unpack('h', 'a')", "struct.size('s')", "struct.pack('!3b', 1)",
            // A container's subcommand is looked up and its arity checked before the noscript flag, its own.
            "redis.call('CONFIG', 'FOO')", "redis.call('CONFIG', 'GET')", "redis.call('OBJECT', 'HELP', 'x')",
            "redis.call('CLIENT', 'LIST', 'x', 'y')", "redis.call('MEMORY', 'USAGE')", "redis.call('XINFO', 'FOO')",
            "redis.call('FUNCTION', 'FOO')", "redis.call('CONFIG')", "redis.call('CLIENT', 'KILL', 'x')",
        ];

        public IEnumerable<string[]> Commands(int count)
        {
            yield return ["SET", "k1", "5"];
            yield return ["SCRIPT", "FLUSH"];
            yield return ["FUNCTION", "FLUSH"];
            for (var i = 0; i < count; i++) { yield return Next(); }
            yield return ["FUNCTION", "FLUSH"];
        }

        private T Pick<T>(params T[] items) => items[random.Next(items.Length)];

        private string[] Next() => random.Next(100) switch
        {
            < 30 => Eval("return " + Pick(Returns)),
            < 50 => Eval($"{Pick(Calls)}\nreturn {Pick(Returns)}"),
            < 58 => Eval($"return {Pick(Calls)}"),
            < 66 => Eval($"local a = 1\n{Pick(Failures)}\nreturn 1"),
            < 70 => Eval($"redis.setresp(3)\nreturn {Pick(Calls)}"),
            < 74 => ReadOnly(),
            < 78 => NumKeys(),
            < 84 => ScriptCommand(),
            < 96 => FunctionCommand(),
            _ => Pick<string[]>(["GET", "k1"], ["LRANGE", "l", "0", "-1"], ["HGETALL", "h"], ["ZRANGE", "z", "0", "-1"]),
        };

        private string[] Eval(string body)
        {
            var keys = random.Next(3);
            return ["EVAL", body, $"{keys}", .. Enumerable.Range(0, keys).Select(_ => Pick(Keys)),
                .. Enumerable.Range(0, random.Next(3)).Select(_ => Pick(Values))];
        }

        private string[] ReadOnly()
        {
            var body = Pick("return redis.call('SET', 'k1', 'ro')", "return redis.call('GET', 'k1')",
                "#!lua flags=no-writes\nreturn redis.call('SET', 'k1', 'x')", "#!lua flags=no-writes\nreturn redis.call('GET', 'k1')",
                "#!lua\nreturn redis.call('GET', 'k1')", "#!lua flags=bogus\nreturn 1", "#!lua name=x\nreturn 1", "#!python\nreturn 1",
                "#!lua flags=no-writes,allow-oom\nreturn redis.pcall('DEL', 'k1')");
            return [Pick("EVAL", "EVAL_RO"), body, "0"];
        }

        private string[] NumKeys() => Pick<string[]>(["EVAL", "return 1", "2", "a"], ["EVAL", "return 1", "-1"], ["EVAL", "return 1", "x"],
            ["EVAL", "return 1", "1.5"], ["EVAL", "return KEYS[2]", "2", "a", "b"], ["EVALSHA", "e0e1f9fabfc9d4800c877a703b823ac0578ff8db", "3"],
            ["FCALL", "f1", "-1"], ["FCALL", "f1", "5", "a"], ["FCALL_RO", "nope", "0"]);

        private string[] ScriptCommand()
        {
            var body = Pick("return 1", "return KEYS[1]", "return redis.call('INCR', 'k1')", "return 1 +* 2");
            var sha = Pick("e0e1f9fabfc9d4800c877a703b823ac0578ff8db", "E0E1F9FABFC9D4800C877A703B823AC0578FF8DB",
                "a22345ea4ae5c1f3fa1bd98c5ad0a2f541bb6346", "nope");
            return random.Next(8) switch
            {
                0 => ["SCRIPT", "LOAD", body],
                1 => ["SCRIPT", "EXISTS", sha, "4d5bd8e2df08a5d2d2e6f5cd1b8d3a4b1d1e2f3a"],
                2 => ["EVALSHA", sha, "1", "k1"],
                3 => ["EVALSHA_RO", sha, "0"],
                4 => ["SCRIPT", Pick("FLUSH", "KILL", "HELP", "DEBUG", "BOGUS"), .. random.Next(2) == 0 ? new[] { Pick("SYNC", "ASYNC", "x", "NO") } : []],
                5 => ["SCRIPT", "LOAD"],
                6 => ["EVAL", body, "1", "k1"],
                _ => ["SCRIPT", "EXISTS"],
            };
        }

        private string[] FunctionCommand()
        {
            var library = Pick(
                "#!lua name=lib1\nredis.register_function('f1', function(keys, args) return {keys[1], args[1]} end)",
                "#!lua name=lib1\nredis.register_function('f1', function(keys, args) return redis.call('INCR', keys[1]) end)",
                "#!lua name=lib1\nredis.register_function{function_name='f2', callback=function(keys, args) return redis.call('SET', keys[1], 'v') end, flags={'no-writes'}, description='ro'}",
                "#!lua name=lib1\nredis.register_function{function_name='f1', callback=function(keys, args) return redis.call('GET', keys[1]) end, flags={'no-writes', 'allow-stale'}}",
                "#!lua name=lib1\nredis.register_function('f1', function() error('inside') end)",
                "#!lua name=lib1\nreturn 1", "#!lua name=lib1\nerror('at load')", "#!lua\nx", "#!lua name=bad-name\nx", "no shebang",
                "#!lua name=lib1 extra=1\nx", "#!lua name=lib1\nredis.register_function('f-x', function() end)",
                "#!lua name=lib1\nredis.register_function('f1', function() end)\nredis.register_function('f1', function() end)",
                "#!lua name=lib1\nredis.register_function{function_name='f1', callback=function() end, flags={'nope'}}",
                "#!lua name=lib1\nredis.register_function{function_name='f1'}", "#!lua name=lib1\nredis.call('PING')",
                "#!lua name=lib1\nlocal x = string.len('a')", "#!LUA NAME=lib1\nredis.register_function('f1', function() return 1 end)",
                "#!lua name=lib1 name=lib2\nx", "#!python name=lib1\nx", "#!python bogus=1\nx", "#!python name=bad-name\nx",
                "#!lua \"name=lib1\"\nredis.register_function('f1', function() return 2 end)", "#!lua \"name=lib1\nx");
            return random.Next(10) switch
            {
                < 3 => ["FUNCTION", "LOAD", .. random.Next(2) == 0 ? new[] { "REPLACE" } : [], library],
                3 => ["FCALL", Pick("f1", "f2", "nope"), "1", Pick(Keys), Pick(Values)],
                4 => ["FCALL_RO", Pick("f1", "f2"), "1", Pick(Keys)],
                5 => ["FUNCTION", "LIST", .. Pick<string[]>([], ["WITHCODE"], ["LIBRARYNAME", "li*"], ["LIBRARYNAME", "zz"], ["LIBRARYNAME"], ["BOGUS"])],
                6 => ["FUNCTION", Pick("DELETE", "STATS", "KILL", "FLUSH", "HELP", "BOGUS"), .. random.Next(2) == 0 ? new[] { Pick("lib1", "SYNC", "x") } : []],
                7 => ["FUNCTION", "LOAD", "BOGUS", library],
                8 => ["FUNCTION", "RESTORE", Pick("bad payload", "")],
                _ => ["FCALL", "f1", "0"],
            };
        }
    }
}
