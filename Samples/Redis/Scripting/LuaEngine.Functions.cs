using System.Diagnostics;
using System.Text;
using System.Text.RegularExpressions;
using Loop.Protocols.Resp;
using KeraLua;

namespace Loop.Samples.Redis.Scripting;

// Function libraries in this loop's interpreter: a library's code runs once with only redis.register_function (and
// log), what it registered is kept by name; the whole set is loaded again whenever the server's changed.
internal sealed partial class LuaEngine
{
    /// <summary>How long a library's code may run while loading (Redis's 500 ms).</summary>
    private const int LoadTimeoutMs = 500;

    private long _loadDeadline;

    /// <summary>
    /// Runs a library's code and returns what it registered, or Redis's error. With <paramref name="install"/> its
    /// functions become callable here; without, the load only checks the code (FUNCTION LOAD on one loop).
    /// </summary>
    public FunctionLibrary? LoadLibrary(byte[] code, bool install, out string? error)
    {
        error = Shebang.ReadLibraryName(code, out var name);
        if (error is not null) { return null; }
        if (_lua.LoadBuffer(Shebang.AsComment(code), "@user_function", "t") != LuaStatus.OK)
        {
            error = $"ERR Error compiling function: {CompileError()}";
            _lua.Pop(1);
            return null;
        }
        SetEnvironment(_functionEnvRef);
        CallApi("begin_load");
        var thread = _lua.NewThread();
        _lua.Insert(-2);
        _lua.XMove(thread, 1);
        _loadDeadline = Stopwatch.GetTimestamp() + LoadTimeoutMs * Stopwatch.Frequency / 1000;
        var status = thread.Resume(_lua, 0, out _);
        _loadDeadline = 0;
        var failure = status switch
        {
            LuaStatus.OK => null,
            LuaStatus.Yield => "FUNCTION LOAD timeout",
            _ => ErrorText(thread),
        };
        _lua.Pop(1);
        CallApi("end_load", results: 1);
        if (failure is not null)
        {
            _lua.Pop(1);
            error = $"ERR Error registering functions: {failure}";
            return null;
        }
        var functions = RegisteredFunctions(name, install);
        if (functions.Length == 0) { error = "ERR No functions registered"; }
        return error is null ? new FunctionLibrary(name, code, functions) : null;
    }

    // The table end_load left on top ({name, callback, flags, description} each), popped; installs the callbacks.
    private FunctionInfo[] RegisteredFunctions(string library, bool install)
    {
        var count = (int)_lua.RawLen(-1);
        var functions = new FunctionInfo[count];
        for (var i = 0; i < count; i++)
        {
            _lua.RawGetInteger(-1, i + 1);
            var name = StringField("name")!;
            var flags = Shebang.ParseFlags(StringField("flags") ?? "", out _) ?? ScriptFlags.None;
            functions[i] = new FunctionInfo(name, StringField("description"), flags, library);
            if (install)
            {
                _lua.RawGetInteger(LuaRegistry.Index, _functionsRef);
                _lua.GetField(-2, "callback");
                _lua.SetField(-2, name);
                _lua.Pop(1);
            }
            _lua.Pop(1);
        }
        _lua.Pop(1);
        return functions;
    }

    private string? StringField(string field)
    {
        _lua.GetField(-1, field);
        var value = _lua.Type(-1) == LuaType.String ? Encoding.UTF8.GetString(_lua.ToBuffer(-1, false)) : null;
        _lua.Pop(1);
        return value;
    }

    // A failed run's error as Redis's handler words it: the err of an error table, else "ERR " and the message.
    private static string ErrorText(Lua thread)
    {
        if (thread.Type(-1) == LuaType.Table)
        {
            thread.PushString("err");
            thread.RawGet(-2);
            var text = thread.Type(-1) == LuaType.String ? RespText.Decode(thread.ToBuffer(-1, false)) : "ERR unknown error";
            thread.Pop(1);
            return text;
        }
        return "ERR " + (thread.Type(-1) is LuaType.String or LuaType.Number
            ? AsLua51(RespText.Decode(thread.ToBuffer(-1, false)))
            : thread.TypeName(thread.Type(-1)));
    }

    // Lua 5.4 names the variable after the value ("attempt to call a nil value (field 'f')"), Redis's Lua 5.1 before it
    // ("attempt to call field 'f' (a nil value)"): the wording clients of Redis see, and match.
    private static string AsLua51(string message) => Lua54TypeError().Replace(message, "attempt to $1 $3 '$4' (a $2 value)");

    [GeneratedRegex(@"attempt to ([a-z ]+?) a (\w+) value \((global|local|field|method|upvalue) '([^']*)'\)")]
    private static partial Regex Lua54TypeError();

    /// <summary>Loads the server's libraries again if they changed since this engine last did.</summary>
    public void SyncFunctions()
    {
        var libraries = _server.Scripting.Functions;
        if (_librariesVersion == libraries.Version) { return; }
        _lua.NewTable();
        _lua.RawSetInteger(LuaRegistry.Index, _functionsRef);
        _librariesVersion = libraries.Version;
        foreach (var library in libraries.Libraries) { LoadLibrary(library.Code, install: true, out _); }
    }
}
