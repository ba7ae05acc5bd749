using System.Buffers.Text;
using System.Globalization;
using KeraLua;
using Loop.Protocols.Resp;

namespace Loop.Samples.Redis.Scripting;

/// <summary>
/// Redis's conversions between replies and Lua values. A reply to redis.call becomes: integer → number, bulk →
/// string, null bulk or array → false, array → table, status → {ok=...}, error → {err=...}; in RESP3 (after
/// redis.setresp(3)) also null → nil, boolean → boolean, double → {double=n}, map → {map={...}}, set →
/// {set={member=true}}, big number → {big_number=text}, verbatim → {verbatim_string={format=, string=}}. A script's
/// value becomes its reply: string → bulk, number → integer (truncated), true → 1 and false → null (RESP3: booleans),
/// a table with err or ok → error or status, with double, big_number, map or set → those, any other table → an array
/// that stops at its first nil, anything else → null.
/// </summary>
internal static class LuaReplies
{
    private const int MaxDepth = 200;

    /// <summary>Pushes {err=message}.</summary>
    public static void PushError(Lua lua, string message)
    {
        lua.CreateTable(0, 1);
        lua.PushString(message);
        lua.SetField(-2, "err");
    }

    private const string CountedField = "ignore_error_stats_update";

    /// <summary>
    /// Marks the error table on top of the stack as counted in the error statistics already (a redis.call that failed or
    /// was refused), in Redis's own field, so the script's reply does not count it again.
    /// </summary>
    public static void MarkCounted(Lua lua)
    {
        lua.PushBoolean(true);
        lua.SetField(-2, CountedField);
    }

    /// <summary>Whether the table at <paramref name="index"/> is an error counted already (<see cref="MarkCounted"/>).</summary>
    public static bool IsCounted(Lua lua, int index)
    {
        lua.PushString(CountedField);
        lua.RawGet(index < 0 ? index - 1 : index);
        var counted = lua.ToBoolean(-1);
        lua.Pop(1);
        return counted;
    }

    /// <summary>Pushes the reply that starts at <paramref name="at"/> as a Lua value; moves past it.</summary>
    public static void Push(Lua lua, ReadOnlySpan<byte> reply, ref int at)
    {
        lua.CheckStack(4);
        var type = reply[at];
        var line = Line(reply, ref at);
        switch (type)
        {
            case (byte)':':
                lua.PushInteger(Number(line));
                break;
            case (byte)'$' or (byte)'=':
                var length = (int)Number(line);
                if (length < 0) { lua.PushBoolean(false); break; }
                var bulk = reply.Slice(at, length);
                at += length + 2;
                if (type == '$') { lua.PushBuffer(bulk.ToArray()); break; }
                lua.CreateTable(0, 1);
                lua.CreateTable(0, 2);
                lua.PushBuffer(bulk[..3].ToArray());
                lua.SetField(-2, "format");
                lua.PushBuffer(bulk[4..].ToArray());
                lua.SetField(-2, "string");
                lua.SetField(-2, "verbatim_string");
                break;
            case (byte)'+' or (byte)'-' or (byte)'(':
                lua.CreateTable(0, 1);
                lua.PushBuffer(line.ToArray());
                lua.SetField(-2, type == '+' ? "ok" : type == '-' ? "err" : "big_number");
                break;
            case (byte)'*' or (byte)'>':
                var count = (int)Number(line);
                if (count < 0) { lua.PushBoolean(false); break; }
                lua.CreateTable(count, 0);
                for (var i = 1; i <= count; i++)
                {
                    Push(lua, reply, ref at);
                    lua.RawSetInteger(-2, i);
                }
                break;
            case (byte)'%' or (byte)'~':
                var entries = (int)Number(line);
                lua.CreateTable(0, 1);
                lua.CreateTable(0, entries);
                for (var i = 0; i < entries; i++)
                {
                    Push(lua, reply, ref at);
                    if (type == '%') { Push(lua, reply, ref at); } else { lua.PushBoolean(true); }
                    lua.RawSet(-3);
                }
                lua.SetField(-2, type == '%' ? "map" : "set");
                break;
            case (byte)'_':
                lua.PushNil();
                break;
            case (byte)'#':
                lua.PushBoolean(line.Length == 1 && line[0] == 't');
                break;
            case (byte)',':
                lua.CreateTable(0, 1);
                lua.PushNumber(Double(line));
                lua.SetField(-2, "double");
                break;
            default:
                throw new InvalidOperationException($"unexpected reply type '{(char)type}'");
        }
    }

    // The rest of the line after the type byte; moves past its CRLF.
    private static ReadOnlySpan<byte> Line(ReadOnlySpan<byte> reply, ref int at)
    {
        var end = reply[at..].IndexOf("\r\n"u8) + at;
        var line = reply[(at + 1)..end];
        at = end + 2;
        return line;
    }

    private static long Number(ReadOnlySpan<byte> text) => Utf8Parser.TryParse(text, out long value, out _) ? value : 0;

    private static double Double(ReadOnlySpan<byte> text) => System.Text.Encoding.ASCII.GetString(text) switch
    {
        "inf" => double.PositiveInfinity,
        "-inf" => double.NegativeInfinity,
        "nan" => double.NaN,
        var s => double.Parse(s, CultureInfo.InvariantCulture),
    };

    /// <summary>
    /// Writes the Lua value at <paramref name="index"/> as the reply. Booleans follow the script's protocol
    /// (<paramref name="resp3"/>: after redis.setresp(3)), the rest the caller's, as in Redis.
    /// </summary>
    public static void Write(Lua lua, int index, RespWriter reply, bool resp3, int depth = 0)
    {
        index = lua.AbsIndex(index);
        switch (lua.Type(index))
        {
            case LuaType.String:
                reply.Bulk(lua.ToBuffer(index, false));
                break;
            case LuaType.Boolean:
                var value = lua.ToBoolean(index);
                if (resp3) { reply.Boolean(value); }
                else if (value) { reply.Integer(1); }
                else { reply.Null(); }
                break;
            case LuaType.Number:
                reply.Integer(Truncate(lua.IsInteger(index) ? lua.ToInteger(index) : lua.ToNumber(index)));
                break;
            case LuaType.Table when depth >= MaxDepth:
                reply.Error("ERR reached lua stack limit");
                break;
            case LuaType.Table:
                WriteTable(lua, index, reply, resp3, depth);
                break;
            default:
                reply.Null();
                break;
        }
    }

    // Redis's (long long) of a Lua 5.1 number, a double: integers beyond 2^53 lose their low bits, and NaN or a value
    // out of range gives x86's "integer indefinite", the smallest long.
    private static long Truncate(double value) =>
        double.IsNaN(value) || value >= 9223372036854775808.0 || value < -9223372036854775808.0 ? long.MinValue : (long)value;

    private static void WriteTable(Lua lua, int index, RespWriter reply, bool resp3, int depth)
    {
        lua.CheckStack(4);
        if (Field(lua, index, "err") == LuaType.String)
        {
            reply.Error(Sanitized(lua), counted: !IsCounted(lua, index));
        }
        else if (Popped(lua) && Field(lua, index, "ok") == LuaType.String)
        {
            reply.SimpleString(Sanitized(lua));
        }
        else if (Popped(lua) && Field(lua, index, "double") == LuaType.Number)
        {
            reply.Double(lua.ToNumber(-1));
        }
        else if (Popped(lua) && Field(lua, index, "big_number") == LuaType.String)
        {
            var text = Sanitized(lua);
            if (reply.Protocol == 3) { reply.Raw(System.Text.Encoding.UTF8.GetBytes($"({text}\r\n")); } else { reply.Bulk(text); }
        }
        else if (Popped(lua) && Field(lua, index, "map") == LuaType.Table)
        {
            WritePairs(lua, reply, resp3, depth, map: true);
        }
        else if (Popped(lua) && Field(lua, index, "set") == LuaType.Table)
        {
            WritePairs(lua, reply, resp3, depth, map: false);
        }
        else
        {
            lua.Pop(1);
            var count = 0;
            while (lua.RawGetInteger(index, count + 1) != LuaType.Nil)
            {
                lua.Pop(1);
                count++;
            }
            lua.Pop(1);
            reply.Array(count);
            for (var i = 1; i <= count; i++)
            {
                lua.RawGetInteger(index, i);
                Write(lua, -1, reply, resp3, depth + 1);
                lua.Pop(1);
            }
            return;
        }
        lua.Pop(1);
    }

    private static LuaType Field(Lua lua, int index, string name)
    {
        lua.PushString(name);
        return lua.RawGet(index);
    }

    // Pops the field looked at last; true, so a chain of checks reads as one condition.
    private static bool Popped(Lua lua)
    {
        lua.Pop(1);
        return true;
    }

    // The string on top with CR and LF as spaces, as Redis writes a status or error from a script.
    private static string Sanitized(Lua lua) => RespText.Decode(lua.ToBuffer(-1, false)).Replace('\r', ' ').Replace('\n', ' ');

    // The table on top as a map (its pairs) or a set (its keys).
    private static void WritePairs(Lua lua, RespWriter reply, bool resp3, int depth, bool map)
    {
        var table = lua.GetTop();
        var count = 0;
        lua.PushNil();
        while (lua.Next(table))
        {
            lua.Pop(1);
            count++;
        }
        if (map) { reply.Map(count); } else { reply.Set(count); }
        lua.PushNil();
        while (lua.Next(table))
        {
            Write(lua, -2, reply, resp3, depth + 1);
            if (map) { Write(lua, -1, reply, resp3, depth + 1); }
            lua.Pop(1);
        }
    }
}
