using System.Net.Sockets;
using System.Text;
using Loop.Samples.Redis.Server;

namespace Loop.IntegrationTests.Redis;

// What the pub/sub tests need around them: the Redis sample in-process on two loops, and a raw-socket client
// that also reads RESP3 pushes.
public sealed partial class PubSubTests
{
    private static RunningRedis Start(Backend backend, ServerOptions? options = null)
    {
        var redis = new RedisServer(new RedisServerOptions(0, "127.0.0.1", 16, null, 512L * 1024 * 1024));
        options ??= new ServerOptions();
        options.Port = 0;
        options.LoopCount = 2;
        options.Backend = backend;
        return new RunningRedis(redis, Server.Start(options, () => new Session(redis)));
    }

    private static object?[] Array(params object?[] items) => items;

    private sealed class RunningRedis(RedisServer redis, Server server) : IAsyncDisposable
    {
        public RedisServer Redis => redis;

        public Task<PubSubClient> Connect(int? receiveBufferBytes = null) => PubSubClient.Connect(server, receiveBufferBytes);

        public async Task<PubSubClient> ConnectOnSameLoopAs(PubSubClient other)
        {
            var loop = await LoopOf(other);
            return await ConnectWhere(candidate => candidate == loop);
        }

        public async Task<PubSubClient> ConnectOnOtherLoopThan(PubSubClient other)
        {
            var loop = await LoopOf(other);
            return await ConnectWhere(candidate => candidate != loop);
        }

        public ValueTask DisposeAsync() => server.DisposeAsync();

        private async Task<EventLoop> LoopOf(PubSubClient client) => redis.Clients[(long)(await client.Call("CLIENT", "ID"))!].Client.Loop;

        // The kernel spreads connections over the loops; keep connecting until one lands where wanted.
        private async Task<PubSubClient> ConnectWhere(Func<EventLoop, bool> wanted)
        {
            for (var attempt = 0; attempt < 100; attempt++)
            {
                var client = await Connect();
                if (wanted(await LoopOf(client))) { return client; }
                client.Dispose();
            }
            throw new InvalidOperationException("No connection landed on the wanted loop in 100 attempts.");
        }
    }

    private sealed record ErrorReply(string Message);

    private sealed record Push(object?[] Items)
    {
        public bool Equals(Push? other) => other is not null && Items.SequenceEqual(other.Items);

        public override int GetHashCode() => Items.Length;

        public override string ToString() => $">[{string.Join(", ", Items.Select(i => i ?? "(nil)"))}]";
    }

    /// <summary>
    /// Sends commands as arrays of bulk strings and reads replies as .NET values: string, long, null, object?[] for
    /// arrays and maps, <see cref="Push"/>, <see cref="ErrorReply"/>. Every read is bounded.
    /// </summary>
    private sealed class PubSubClient : IDisposable
    {
        private static readonly TimeSpan ReadTimeout = TimeSpan.FromSeconds(10);
        private readonly NetworkStream _stream;
        private readonly MemoryStream _pending = new();
        private byte[] _buffer = new byte[64 * 1024];
        private int _start, _end;

        private PubSubClient(Socket socket) => _stream = new NetworkStream(socket, ownsSocket: true);

        public static async Task<PubSubClient> Connect(Server server, int? receiveBufferBytes)
        {
            var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            if (receiveBufferBytes is { } bytes) { socket.ReceiveBufferSize = bytes; }
            await socket.ConnectAsync(server.EndPoint);
            return new PubSubClient(socket);
        }

        /// <summary>Queues a command; <see cref="Flush"/> sends what is queued in one write (pipelining).</summary>
        public void Send(params string[] args)
        {
            var text = new StringBuilder($"*{args.Length}\r\n");
            foreach (var arg in args) { text.Append($"${Encoding.UTF8.GetByteCount(arg)}\r\n{arg}\r\n"); }
            _pending.Write(Encoding.UTF8.GetBytes(text.ToString()));
        }

        public async Task Flush()
        {
            await _stream.WriteAsync(_pending.GetBuffer().AsMemory(0, (int)_pending.Length));
            _pending.SetLength(0);
        }

        public async Task<object?> Call(params string[] args)
        {
            Send(args);
            await Flush();
            return await Read();
        }

        public async Task<object?> Read()
        {
            using var timeout = new CancellationTokenSource(ReadTimeout);
            return await ReadValue(timeout.Token);
        }

        public void Dispose() => _stream.Dispose();

        private async Task<object?> ReadValue(CancellationToken cancel)
        {
            var line = await ReadLine(cancel);
            var body = line[1..];
            switch (line[0])
            {
                case '+': return body;
                case '-': return new ErrorReply(body);
                case ':': return long.Parse(body);
                case '_': return null;
                case '$':
                    var length = int.Parse(body);
                    if (length < 0) { return null; }
                    var bytes = await ReadBytes(length + 2, cancel);
                    return Encoding.UTF8.GetString(bytes, 0, length);
                case '*' or '>' or '%' or '~':
                    var count = int.Parse(body);
                    if (count < 0) { return null; }
                    var items = new object?[line[0] == '%' ? count * 2 : count];
                    for (var i = 0; i < items.Length; i++) { items[i] = await ReadValue(cancel); }
                    return line[0] == '>' ? new Push(items) : items;
                default: throw new InvalidDataException($"Unexpected RESP line: {line}");
            }
        }

        private async Task<string> ReadLine(CancellationToken cancel)
        {
            while (true)
            {
                var end = System.Array.IndexOf(_buffer, (byte)'\n', _start, _end - _start);
                if (end > _start && _buffer[end - 1] == (byte)'\r')
                {
                    var line = Encoding.UTF8.GetString(_buffer, _start, end - 1 - _start);
                    _start = end + 1;
                    return line;
                }
                await Fill(cancel);
            }
        }

        private async Task<byte[]> ReadBytes(int count, CancellationToken cancel)
        {
            while (_end - _start < count) { await Fill(cancel); }
            var bytes = _buffer.AsSpan(_start, count).ToArray();
            _start += count;
            return bytes;
        }

        private async Task Fill(CancellationToken cancel)
        {
            if (_start > 0)
            {
                _buffer.AsSpan(_start, _end - _start).CopyTo(_buffer);
                _end -= _start;
                _start = 0;
            }
            if (_end == _buffer.Length) { System.Array.Resize(ref _buffer, _buffer.Length * 2); }
            var read = await _stream.ReadAsync(_buffer.AsMemory(_end), cancel);
            if (read == 0) { throw new EndOfStreamException("The server closed the connection."); }
            _end += read;
        }
    }
}
