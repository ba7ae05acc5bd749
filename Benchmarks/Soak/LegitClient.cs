using System.Net.Sockets;
using System.Text;

namespace Loop.Benchmarks.Soak;

/// <summary>
/// A legitimate client: rounds of requests whose every reply is checked exactly. A wrong reply, an error, no reply
/// within <see cref="SoakRun.Timeout"/> or an unexpected close is a failure; the client then reconnects and goes on.
/// It also takes a new connection every 100 rounds, so that accepting connections is checked under abuse too.
/// </summary>
internal abstract class LegitClient(SoakRun run, ClientKind kind, LegitTally tally)
{
    private const int RoundsPerConnection = 100;

    // Between rounds: steady legitimate load that leaves the small machine to the server and the abuse.
    private static readonly TimeSpan Pause = TimeSpan.FromMilliseconds(5);

    private Socket? _socket;
    private SocketReader? _reader;
    private string _request = "";

    /// <summary>Rounds until the soak stops.</summary>
    public Task RunAsync() => RunAsync(run.Stop, run.RoundsWithin(Pause));

    /// <summary>One round on a new connection, whether or not the soak has stopped (setup and the final check).</summary>
    public Task RunOnceAsync() => RunAsync(CancellationToken.None, 1);

    /// <summary>Called on each new connection, before its first round.</summary>
    protected virtual Task OnConnectedAsync() => Task.CompletedTask;

    protected abstract Task RoundAsync(int round);

    protected async Task SendAsync(params byte[][] requests)
    {
        _request = "send";
        using var timeout = new CancellationTokenSource(SoakRun.Timeout);
        await _socket!.SendAllAsync(requests.SelectMany(r => r).ToArray(), timeout.Token);
    }

    /// <summary>Reads the reply to <paramref name="request"/> (named in a failure) within <see cref="SoakRun.Timeout"/>.</summary>
    protected async Task<T> ReadAsync<T>(string request, Func<SocketReader, CancellationToken, ValueTask<T>> read)
    {
        _request = request;
        using var timeout = new CancellationTokenSource(SoakRun.Timeout);
        return await read(_reader!, timeout.Token);
    }

    protected void Succeeded() => tally.Succeeded();

    protected static WrongReplyException WrongReply(string expected, string got) => new($"expected {expected}, got {got}");

    /// <summary>Bytes as a short readable string: CR, LF and other control bytes escaped, at most 80 characters.</summary>
    protected static string Printable(ReadOnlySpan<byte> bytes)
    {
        var text = new StringBuilder();
        foreach (var b in bytes[..Math.Min(bytes.Length, 80)])
        {
            text.Append(b switch { (byte)'\r' => "\\r", (byte)'\n' => "\\n", < 32 or >= 127 => $"\\x{b:x2}", _ => ((char)b).ToString() });
        }
        return bytes.Length > 80 ? $"\"{text}\"... ({bytes.Length} bytes)" : $"\"{text}\"";
    }

    private async Task RunAsync(CancellationToken stop, int maxRounds)
    {
        for (var round = 0; round < maxRounds && !stop.IsCancellationRequested; round++)
        {
            try
            {
                if (_socket is null || round % RoundsPerConnection == 0) { await ConnectAsync(); }
                await RoundAsync(round);
            }
            catch (Exception e)
            {
                tally.Fail($"{kind.Name}: {_request}: {Describe(e)}");
                if (e is EndOfStreamException) { kind.ClosedByServer(); }
                Disconnect();
            }
            if (round + 1 < maxRounds) { await Task.Delay(Pause, CancellationToken.None); }
        }
        Disconnect();
    }

    private async Task ConnectAsync()
    {
        Disconnect();
        _request = "connect";
        _socket = await run.ConnectAsync(kind, CancellationToken.None);
        _reader = new SocketReader(_socket);
        await OnConnectedAsync();
    }

    private void Disconnect()
    {
        _socket?.Dispose();
        _socket = null;
        _reader = null;
    }

    private static string Describe(Exception e) => e switch
    {
        OperationCanceledException => $"no answer within {SoakRun.Timeout.TotalSeconds:F0} s",
        SocketException s => $"socket error {s.SocketErrorCode}",
        EndOfStreamException or InvalidDataException or WrongReplyException => e.Message,
        _ => e.ToString(),
    };
}

/// <summary>A reply that arrived but is not the one expected.</summary>
internal sealed class WrongReplyException(string message) : Exception(message);
