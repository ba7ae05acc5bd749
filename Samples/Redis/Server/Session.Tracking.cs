using Loop.Protocols.Resp;
using Loop.Samples.Redis.Commands;

namespace Loop.Samples.Redis.Server;

/// <summary>CLIENT TRACKING's state of a client, as Redis's CLIENT_TRACKING_* flags.</summary>
[Flags]
internal enum TrackingModes
{
    None = 0,
    On = 1,
    Broadcast = 2,
    OptIn = 4,
    OptOut = 8,
    NoLoop = 16,
    Caching = 32, // CLIENT CACHING for the next command (or transaction)
    BrokenRedirect = 64,
    ForCaller = 128, // a script client whose caller tracks: its reads count for the caller
}

/// <summary>An invalidation for a tracking client: its keys (null: all, after a flush), and whether it is a BCAST prefix's.</summary>
internal sealed record Invalidation(byte[][]? Keys, bool Broadcast);

// Client-side caching, this client's side: the keys it reads are remembered (KeyTracking) and it is told when they
// change, by RESP3 push or through the client it redirects to. Changed and read on the session's own loop thread.
internal sealed partial class Session
{
    private static readonly string[] ReadOnlyScriptCalls = ["eval_ro", "evalsha_ro", "fcall_ro"];

    private TrackingModes _tracking;
    private long _redirect;
    private readonly List<byte[]> _trackedPrefixes = [];
    private Session? _scriptCaller;
    private bool _scriptRead;

    public TrackingModes Tracking => _tracking;

    /// <summary>The client invalidations go to (0: this one), -1 with tracking off.</summary>
    public long TrackingRedirect => (_tracking & TrackingModes.On) != 0 ? _redirect : -1;

    /// <summary>The prefixes this BCAST client listens to.</summary>
    public IReadOnlyList<byte[]> TrackedPrefixes => _trackedPrefixes;

    /// <summary>
    /// CLIENT TRACKING ON with options already checked (Redis's enableTracking): the modes are replaced, the prefixes
    /// added to those it had (the empty one for BCAST without any).
    /// </summary>
    public void StartTracking(long redirect, TrackingModes options, IReadOnlyList<byte[]> prefixes)
    {
        var tracking = server.Keyspace.Tracking;
        if ((_tracking & TrackingModes.On) == 0) { tracking.ClientStarted(); }
        _tracking = TrackingModes.On | options | (_tracking & TrackingModes.Caching);
        _redirect = redirect;
        if ((options & TrackingModes.Broadcast) == 0) { return; }
        foreach (var prefix in prefixes.Count == 0 ? [[]] : prefixes)
        {
            if (_trackedPrefixes.Exists(p => p.AsSpan().SequenceEqual(prefix))) { continue; }
            _trackedPrefixes.Add(prefix);
            tracking.Listen(prefix, Id);
        }
    }

    /// <summary>CLIENT TRACKING OFF, and a closing client: the keys it read are forgotten lazily, as they change.</summary>
    public void StopTracking()
    {
        var tracking = server.Keyspace.Tracking;
        foreach (var prefix in _trackedPrefixes) { tracking.StopListening(prefix, Id); }
        _trackedPrefixes.Clear();
        if ((_tracking & TrackingModes.On) != 0) { tracking.ClientStopped(); }
        _tracking = TrackingModes.None;
    }

    /// <summary>CLIENT CACHING YES (OPTIN) or NO (OPTOUT): for the next command, or transaction.</summary>
    public void CacheNext() => _tracking |= TrackingModes.Caching;

    // After a command ran, its keys still held (called only while _tracking is set): a read's keys are remembered for
    // this client, as Redis's call() does; a script's declared keys once it has read anything (the script client
    // tells its caller); EVAL_RO and the like only through what they read.
    private void TrackCommand(CommandSpec spec, RespCommand command)
    {
        var read = (spec.Flags & CommandFlags.ReadOnly) != 0 && !ReadOnlyScriptCalls.Contains(spec.Name);
        if (IsScriptClient)
        {
            if (read && _scriptCaller is { } caller) { caller._scriptRead = true; }
            return;
        }
        read |= _scriptRead;
        _scriptRead = false;
        if (!read || (_tracking & (TrackingModes.On | TrackingModes.Broadcast)) != TrackingModes.On) { return; }
        var caching = (_tracking & TrackingModes.Caching) != 0;
        if (((_tracking & TrackingModes.OptIn) != 0 && !caching) || ((_tracking & TrackingModes.OptOut) != 0 && caching)) { return; }
        foreach (var position in spec.Keys.Touched(command)) { server.Keyspace.Tracking.Remember(command[position], Id); }
    }

    // A top-level command is done, its reply written: CLIENT CACHING's choice ends (unless in MULTI, or this was CLIENT
    // itself), and what it changed is sent to whoever caches it.
    private void TrackingAfterCommand(RespCommand command)
    {
        if ((_tracking & TrackingModes.Caching) != 0 && !InMulti && !Args.Is(command[0], "CLIENT")) { _tracking &= ~TrackingModes.Caching; }
        TrackingMessages.Send(server, current: this);
    }

    /// <summary>
    /// Tells this client that keys changed (Redis's sendTrackingMessage), unless it has since closed, been reused or
    /// stopped tracking, the message is for the other mode (keys read before BCAST was turned on), or it made the change
    /// itself with NOLOOP: by RESP3 push, or through the client it redirects to. Loop thread only.
    /// </summary>
    public void Invalidated(long sessionId, Invalidation message, bool changedHere)
    {
        if (sessionId != Id || (_tracking & TrackingModes.On) == 0 || Connection is not { IsClosing: false }) { return; }
        if (message.Keys is not null && (message.Broadcast != ((_tracking & TrackingModes.Broadcast) != 0) ||
            (changedHere && (_tracking & TrackingModes.NoLoop) != 0)))
        {
            return;
        }
        if (_redirect == 0)
        {
            WriteInvalidation(Id, message, Reply.Protocol, redirected: false);
            return;
        }
        if (!server.Clients.TryGetValue(_redirect, out var target) || !target.IsListed) // gone, or going (QUIT, CLIENT KILL)
        {
            _tracking |= TrackingModes.BrokenRedirect;
            if (Reply.Protocol != 3) { return; }
            using var pushing = Pushing();
            Reply.Push(2);
            Reply.Bulk("tracking-redir-broken"u8);
            Reply.Integer(_redirect);
            return;
        }
        var (redirect, protocol) = (_redirect, Reply.Protocol);
        if (target == this) { WriteInvalidation(redirect, message, protocol, redirected: true); }
        else { target.PostToLoop(() => target.WriteInvalidation(redirect, message, protocol, redirected: true)); }
    }

    // Writes the message: a RESP3 push, or to a RESP2 client that redirected invalidations here and listens to pub/sub,
    // a message of __redis__:invalidate; nothing to any other. A flush's null is spelled in the tracking client's protocol.
    private void WriteInvalidation(long sessionId, Invalidation message, int trackerProtocol, bool redirected)
    {
        if (sessionId != Id || Connection is not { IsClosing: false }) { return; }
        using var pushing = Pushing();
        if (Reply.Protocol == 3)
        {
            Reply.Push(2);
            Reply.Bulk("invalidate"u8);
        }
        else if (redirected && Subscribed)
        {
            Reply.Push(3);
            Reply.Bulk("message"u8);
            Reply.Bulk("__redis__:invalidate"u8);
        }
        else { return; }
        if (message.Keys is not { } keys)
        {
            Reply.Raw(trackerProtocol == 3 ? "_\r\n"u8 : "$-1\r\n"u8);
            return;
        }
        Reply.Array(keys.Length);
        foreach (var key in keys) { Reply.Bulk(key); }
    }

    /// <summary>Runs <paramref name="action"/> on this session's loop, after what was posted there before; dropped once closed.</summary>
    public void PostToLoop(Action action)
    {
        if (Connection is { } connection) { connection.Loop.Post(action); }
    }
}
