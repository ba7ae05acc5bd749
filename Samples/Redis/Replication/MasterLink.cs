using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Loop.Samples.Redis.Commands;
using Loop.Samples.Redis.Persistence;
using Loop.Samples.Redis.Server;
using Loop.Samples.Redis.Store;
using Microsoft.Extensions.Logging;

namespace Loop.Samples.Redis.Replication;

/// <summary>Where a replica is with its master, as ROLE names it.</summary>
internal enum MasterLinkState { Connect, Connecting, Sync, Connected }

/// <summary>
/// The replica's side of replication (REPLICAOF host port): a thread of its own talks to the master as a Redis 7.0
/// replica does (PING, AUTH with masterauth, REPLCONF listening-port and capa eof psync2, PSYNC), loads the RDB of a full
/// resync (kept as dump.rdb, as Redis keeps it) or continues from its offset after +CONTINUE, then reads the command
/// stream. The keyspace is only ever changed on <see cref="_loop"/>: each read's commands run there as one batch,
/// holding the keyspace exclusively with expiry paused (the master's DEL expires keys, as on a Redis replica), through
/// a session that is the master's client. The thread acknowledges its offset every second and when the master asks
/// (REPLCONF GETACK), and reconnects a second after the link fails, asking to continue where it stopped.
/// </summary>
internal sealed class MasterLink(RedisServer server, EventLoop loop, string host, int port)
{
    private readonly EventLoop _loop = loop;
    private readonly CancellationTokenSource _stop = new();
    private readonly Lock _sending = new();
    private Socket? _socket;
    private Session? _master;
    private int _state;
    private long _offset = -1, _lastIoMs, _downSinceMs = Clock.NowMs;
    private volatile string? _masterId;

    public string Host => host;
    public int Port => port;
    public MasterLinkState State => (MasterLinkState)Volatile.Read(ref _state);

    /// <summary>The master's replication offset this replica has applied, or -1 before its first sync.</summary>
    public long Offset => Interlocked.Read(ref _offset);

    /// <summary>The master's replication id, once a sync told it.</summary>
    public string? MasterId => _masterId;

    /// <summary>When the master was last heard from (Unix ms).</summary>
    public long LastIoMs => Interlocked.Read(ref _lastIoMs);

    // The RDB being read from the master: its size (0 when streamed to an end mark, as Redis shows it), and the bytes read so far.
    private long _transferSize, _transferRead;
    private volatile bool _transferring;

    /// <summary>The RDB transfer under way (INFO's master_sync_* fields), or null.</summary>
    public (long Size, long Read)? Transfer => _transferring ? (Interlocked.Read(ref _transferSize), Interlocked.Read(ref _transferRead)) : null;

    /// <summary>Since when the link has been down (Unix ms); meaningless while it is up.</summary>
    public long DownSinceMs => Interlocked.Read(ref _downSinceMs);

    public void Start() => new Thread(Run) { IsBackground = true, Name = "loop-redis master link" }.Start();

    /// <summary>Ends the link (REPLICAOF NO ONE or another master): the thread stops at its next step.</summary>
    public void Stop()
    {
        _stop.Cancel();
        _socket?.Dispose();
        Unlist();
    }

    // An address as Redis shows it (the dual-mode socket's IPv4 peers as IPv4).
    private static string Shown(EndPoint? endPoint) => endPoint is IPEndPoint ip
        ? new IPEndPoint(ip.Address.IsIPv4MappedToIPv6 ? ip.Address.MapToIPv4() : ip.Address, ip.Port).ToString()
        : $"{endPoint}";

    /// <summary>CLIENT KILL of the master's client: the connection drops, and the link reconnects and continues.</summary>
    public void Disconnect()
    {
        try { _socket?.Shutdown(SocketShutdown.Both); }
        catch (Exception e) when (e is SocketException or ObjectDisposedException) { } // already gone
    }

    // The master's client leaves CLIENT LIST with its connection (Redis frees it; it comes back with the next one).
    private void Unlist()
    {
        if (_master is { } master) { server.Clients.TryRemove(master.Id, out _); }
    }

    private void Run()
    {
        while (!_stop.IsCancellationRequested)
        {
            try { Follow(); }
            catch (Exception) when (_stop.IsCancellationRequested) { } // REPLICAOF ended or replaced this link
            catch (Exception e) when (e is IOException or SocketException or InvalidDataException or AofFormatException or RdbFormatException
                                          or TimeoutException or OperationCanceledException or UnauthorizedAccessException)
            {
                server.Log.LogWarning("MASTER <-> REPLICA sync with {Host}:{Port}: {Error}", host, port, e.Message);
            }
            catch (Exception e)
            {
                // Anything else is a bug here; the server goes on, and the link tries again.
                server.Log.LogError(e, "MASTER <-> REPLICA sync with {Host}:{Port} failed", host, port);
            }
            finally
            {
                Unlist();
                _socket?.Dispose();
                Interlocked.Exchange(ref _downSinceMs, Clock.NowMs);
                SetState(MasterLinkState.Connect);
            }
            _stop.Token.WaitHandle.WaitOne(TimeSpan.FromSeconds(1));
        }
    }

    private void Follow()
    {
        var timeout = TimeSpan.FromSeconds(Math.Min(server.Config.GetNumber("repl-timeout"), int.MaxValue / 1000));
        var socket = _socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        socket.ReceiveTimeout = socket.SendTimeout = (int)timeout.TotalMilliseconds;
        SetState(MasterLinkState.Connecting);
        server.Log.LogInformation("Connecting to MASTER {Host}:{Port}", host, port);
        using (var connecting = CancellationTokenSource.CreateLinkedTokenSource(_stop.Token))
        {
            connecting.CancelAfter(timeout);
            socket.ConnectAsync(host, port, connecting.Token).AsTask().GetAwaiter().GetResult();
        }
        using var stream = new NetworkStream(socket, ownsSocket: false);
        Handshake(stream);
        // The master's client, kept for the link's life (its database is where the stream goes on after a PSYNC), is
        // listed with this connection's addresses.
        var (peer, local) = (Shown(socket.RemoteEndPoint), Shown(socket.LocalEndPoint));
        OnLoop(() =>
        {
            _master ??= Session.ForMaster(server, _loop, this);
            _master.ConnectedAt(peer, local);
            server.Clients[_master.Id] = _master;
        });
        SetState(MasterLinkState.Connected);
        server.Log.LogInformation("MASTER <-> REPLICA sync: the stream of {Host}:{Port} is followed from offset {Offset}", host, port, Offset);
        using var acks = new Timer(_ => Acknowledge(Offset), null, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(1));
        var batches = new MasterStream(this, Offset);
        AofCommandReader.Read(new ReadNotifyingStream(stream, batches.Flush), $"the stream of master {host}:{port}", batches);
        throw new IOException("Connection with master lost");
    }

    // As Redis's syncWithMaster: a PING first (an error other than an authentication one ends the try), AUTH when
    // masterauth is set, REPLCONF (errors ignored: older masters do not know them), then PSYNC with what this replica has.
    private void Handshake(NetworkStream stream)
    {
        var pong = Call(stream, "PING");
        if (pong.StartsWith('-') && !pong.StartsWith("-NOAUTH") && !pong.StartsWith("-NOPERM") && !pong.StartsWith("-ERR operation not permitted"))
        {
            throw new InvalidDataException($"Error reply to PING from master: '{pong}'");
        }
        if (server.Config.Get("masterauth") is { Length: > 0 } password)
        {
            var auth = server.Config.Get("masteruser") is { Length: > 0 } user ? Call(stream, "AUTH", user, password) : Call(stream, "AUTH", password);
            if (auth.StartsWith('-')) { throw new InvalidDataException($"Unable to AUTH to MASTER: {auth}"); }
        }
        Call(stream, "REPLCONF", "listening-port", server.ListeningPort.ToString());
        Call(stream, "REPLCONF", "capa", "eof", "capa", "psync2");
        var (id, offset) = (_masterId, Offset);
        var reply = Call(stream, "PSYNC", id ?? "?", id is null ? "-1" : (offset + 1).ToString());
        var words = reply.Split(' ');
        if (words[0] == "+FULLRESYNC" && words.Length == 3 && long.TryParse(words[2], out var start))
        {
            server.Log.LogInformation("Full resync from master: {Id}:{Offset}", words[1], start);
            SetState(MasterLinkState.Sync);
            // A sync that fails half-way has changed the keys: the next try must be a full one, not a continuation.
            _masterId = null;
            Interlocked.Exchange(ref _offset, -1);
            LoadRdb(stream);
            _masterId = words[1];
            Interlocked.Exchange(ref _offset, start);
            Acknowledge(start); // a master that streamed the RDB (diskless) sends the stream once the replica acknowledges

        }
        else if (words[0] == "+CONTINUE")
        {
            if (words.Length > 1) { _masterId = words[1]; }
            server.Log.LogInformation("Successful partial resynchronization with master.");
        }
        else { throw new InvalidDataException($"Unexpected reply to PSYNC from master: {reply}"); }
    }

    // The RDB after the newlines a master sends while it prepares one (ReadReply): a bulk of known length ($len), or,
    // from a master that streams it (capa eof, repl-diskless-sync), the bytes up to an end mark of 40 bytes ($EOF:mark).
    // Written to a temp file, loaded, and renamed over dbfilename, as Redis's disk load does; the keys are replaced on
    // the loop.
    private void LoadRdb(NetworkStream stream)
    {
        var header = ReadReply(stream);
        var mark = header.StartsWith("$EOF:") && header.Length == 5 + EndMarkLength ? Encoding.ASCII.GetBytes(header[5..]) : null;
        var length = 0L;
        if (mark is null && (!header.StartsWith('$') || !long.TryParse(header.AsSpan(1), out length) || length < 0))
        {
            throw new InvalidDataException($"Bad protocol from MASTER, the first byte is not '$' (we received '{header}')");
        }
        var directory = server.Config.Get("dir");
        var temp = Path.Combine(directory, $"temp-{Environment.ProcessId}.{Stopwatch.GetTimestamp()}.rdb");
        try
        {
            using (var file = new FileStream(temp, FileMode.Create, FileAccess.ReadWrite, FileShare.None, 1 << 16))
            {
                (_transferSize, _transferRead, _transferring) = (mark is null ? length : 0, 0, true);
                try
                {
                    if (mark is null) { CopyBulk(stream, file, length); } else { CopyUpToMark(stream, file, mark); }
                }
                finally { _transferring = false; }
                file.Flush(flushToDisk: true);
            }
            OnLoop(() => Replace(temp));
            File.Move(temp, Path.Combine(directory, server.Config.Get("dbfilename")), overwrite: true);
        }
        finally { File.Delete(temp); }
    }

    private const int EndMarkLength = 40;

    private void CopyBulk(NetworkStream stream, FileStream file, long length)
    {
        var buffer = new byte[1 << 16];
        for (var left = length; left > 0;)
        {
            var read = stream.Read(buffer, 0, (int)Math.Min(buffer.Length, left));
            if (read == 0) { throw new IOException("the master closed the connection during the RDB transfer"); }
            file.Write(buffer, 0, read);
            Interlocked.Add(ref _transferRead, read);
            left -= read;
            Heard();
        }
    }

    // Until the bytes read end with the mark (the master sends nothing after it until this replica acknowledges); the mark
    // itself is cut off the file.
    private void CopyUpToMark(NetworkStream stream, FileStream file, byte[] mark)
    {
        var buffer = new byte[1 << 16];
        var tail = new byte[EndMarkLength];
        while (true)
        {
            var read = stream.Read(buffer, 0, buffer.Length);
            if (read == 0) { throw new IOException("the master closed the connection during the RDB transfer"); }
            file.Write(buffer, 0, read);
            Interlocked.Add(ref _transferRead, read);
            Heard();
            if (read >= EndMarkLength) { buffer.AsSpan(read - EndMarkLength, EndMarkLength).CopyTo(tail); }
            else
            {
                tail.AsSpan(read).CopyTo(tail);
                buffer.AsSpan(0, read).CopyTo(tail.AsSpan(EndMarkLength - read));
            }
            if (file.Length >= EndMarkLength && tail.AsSpan().SequenceEqual(mark))
            {
                file.SetLength(file.Length - EndMarkLength);
                return;
            }
        }
    }

    // Redis's readSyncBulkPayload after the transfer: the replicas of this server must sync again (they hold the old
    // keys), the keyspace is emptied and loaded, keys already expired included (the master's DEL will come), and the
    // append-only file starts over from what was loaded.
    private void Replace(string rdb)
    {
        var keyspace = server.Keyspace;
        using (keyspace.Lock.Exclusive())
        {
            StillFollowed();
            server.Replication.DisconnectReplicas();
            server.Log.LogInformation("MASTER <-> REPLICA sync: Flushing old data");
            foreach (var db in keyspace.Databases) { db.Clear(); }
            server.Scripting.Functions.Flush();
            try
            {
                using var input = new FileStream(rdb, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16);
                var loader = new KeyspaceLoader(keyspace, server.Scripting.RestoreLibrary, keepExpired: true)
                {
                    KeyLoadDelayMicros = server.Config.GetNumber("key-load-delay"),
                };
                DatasetLoading.Run(server, input, loader, _loop);
                server.Log.LogInformation("MASTER <-> REPLICA sync: Finished with success ({Keys} keys)", loader.Loaded);
            }
            catch
            {
                foreach (var db in keyspace.Databases) { db.Clear(); }
                throw;
            }
        }
        if (server.Config.Get("appendonly") == "yes" && server.Aof.Rewrite() is { } refused)
        {
            server.Log.LogWarning("The append-only file could not start over after the sync: {Error}", refused);
        }
    }

    /// <summary>Runs a batch of the master's stream on the loop, waiting until it ran; <paramref name="end"/> is the offset after it.</summary>
    private void Apply(List<IReadOnlyList<byte[]>> commands, long end)
    {
        OnLoop(() =>
        {
            var keyspace = server.Keyspace;
            using (keyspace.Lock.Exclusive())
            {
                StillFollowed();
                keyspace.ExpiryPaused = true;
                try
                {
                    foreach (var command in commands) { Run(command); }
                }
                finally { keyspace.ExpiryPaused = false; }
            }
        });
        Interlocked.Exchange(ref _offset, end);
    }

    // A command that fails in a way no reply says (a bug) is logged and skipped, as a client's is answered and closed:
    // the stream goes on, since running the batch again would repeat the commands before it.
    private void Run(IReadOnlyList<byte[]> command)
    {
        try { _master!.FromMaster(command); }
        catch (Exception e)
        {
            Interlocked.Increment(ref server.UnexpectedErrorReplies);
            server.Log.LogError(e, "The master's command {Command} failed", Encoding.UTF8.GetString(command[0]));
        }
    }

    // A link that REPLICAOF replaced or ended changes nothing more: the server sets its master holding the keyspace, and
    // each change of the link checks, holding it too, that it is still this one.
    private void StillFollowed()
    {
        if (server.Master != this) { throw new OperationCanceledException("the link was replaced"); }
    }

    private void OnLoop(Action work)
    {
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _loop.Post(() =>
        {
            try
            {
                work();
                done.SetResult();
            }
            catch (Exception e) { done.SetException(e); }
        });
        done.Task.WaitAsync(_stop.Token).GetAwaiter().GetResult();
    }

    private void Acknowledge(long offset)
    {
        try { Send(Command("REPLCONF", "ACK", offset.ToString())); }
        catch (Exception e) when (e is SocketException or ObjectDisposedException) { } // the reader finds the link broken
    }

    private void Send(byte[] bytes)
    {
        lock (_sending) { _socket!.Send(bytes); }
    }

    private string Call(NetworkStream stream, params string[] arguments)
    {
        Send(Command(arguments));
        return ReadReply(stream);
    }

    // The next reply line. A master keeps the link alive with bare newlines while it prepares a snapshot (the wait of
    // repl-diskless-sync-delay before PSYNC's answer, and the save before the RDB): as Redis's replica, skip them.
    private string ReadReply(NetworkStream stream)
    {
        string line;
        do { line = ReadLine(stream); } while (line.Length == 0);
        return line;
    }

    private static byte[] Command(params string[] arguments)
    {
        var output = new System.Buffers.ArrayBufferWriter<byte>();
        AofCommandWriter.Command(output, [.. arguments.Select(Encoding.UTF8.GetBytes)]);
        return output.WrittenSpan.ToArray();
    }

    // One reply line, a byte at a time as Redis's syncReadLine reads it: nothing after it is taken from the stream.
    private string ReadLine(NetworkStream stream)
    {
        var line = new List<byte>();
        while (true)
        {
            var next = stream.ReadByte();
            if (next < 0) { throw new IOException("the master closed the connection"); }
            Heard();
            if (next == '\n') { return Encoding.UTF8.GetString([.. line]).TrimEnd('\r'); }
            if (line.Count == 1024) { throw new InvalidDataException("a reply line from the master is too long"); }
            line.Add((byte)next);
        }
    }

    private void Heard() => Interlocked.Exchange(ref _lastIoMs, Clock.NowMs);

    private void SetState(MasterLinkState state) => Volatile.Write(ref _state, (int)state);

    /// <summary>
    /// The master's commands as the reader hands them over (a transaction whole), gathered until the reader needs more
    /// bytes from the socket, then applied as one batch; REPLCONF GETACK is answered with the offset before it, as Redis
    /// answers once the commands before it ran.
    /// </summary>
    private sealed class MasterStream(MasterLink link, long start) : IAofCommandSink
    {
        private readonly long _start = start; // the offset of the stream's first byte
        private readonly List<IReadOnlyList<byte[]>> _batch = [];
        private long _end = start; // the offset after the last command read

        public void Command(IReadOnlyList<byte[]> arguments, long offset)
        {
            link.Heard();
            var at = _start + offset;
            if (arguments.Count == 3 && Args.Is(arguments[0], "REPLCONF") && Args.Is(arguments[1], "GETACK"))
            {
                Flush();
                link.Acknowledge(at);
            }
            else { _batch.Add(arguments); }
            _end = at + Length(arguments);
        }

        public void Flush()
        {
            if (_batch.Count == 0)
            {
                Interlocked.Exchange(ref link._offset, _end);
                return;
            }
            link.Apply([.. _batch], _end);
            _batch.Clear();
        }

        // The command's size in the stream: *N, then $LEN, the bytes and CRLF for each argument.
        private static long Length(IReadOnlyList<byte[]> arguments)
        {
            long length = 3 + Digits(arguments.Count);
            foreach (var argument in arguments) { length += 3 + Digits(argument.Length) + argument.Length + 2; }
            return length;
        }

        private static int Digits(long n) => n.ToString().Length;
    }

    /// <summary>Calls <paramref name="beforeRead"/> each time the reader needs more bytes: what it has read so far is applied before it waits.</summary>
    private sealed class ReadNotifyingStream(Stream inner, Action beforeRead) : Stream
    {
        public override int Read(byte[] buffer, int offset, int count)
        {
            beforeRead();
            return inner.Read(buffer, offset, count);
        }

        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
        public override void Flush() { }
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
