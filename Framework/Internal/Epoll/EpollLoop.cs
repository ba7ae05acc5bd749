using System.Net.Sockets;
using System.Runtime.InteropServices;
using Loop.Internal.Interop;
using Loop.Internal.Output;

namespace Loop.Internal.Epoll;

/// <summary>
/// The epoll event loop: the same contracts as io_uring with readiness instead of completions.
/// Level-triggered epoll_wait, non-blocking sockets, read into one receive buffer per loop, writev of
/// the output chunks, all through direct system calls.
/// </summary>
internal sealed unsafe partial class EpollLoop : EventLoop
{
    private const int MaxEvents = 256;
    private const ulong ListenerToken = ulong.MaxValue, WakeToken = ulong.MaxValue - 1;

    private readonly Socket _listener;
    private Epoll _epoll = null!;
    private ChunkPool _chunks = null!;
    private byte* _receiveBuffer;
    private int _eventFd = -1;
    private bool _listening;

    public EpollLoop(int id, ServerOptions options, Func<IConnectionHandler> handlerFactory, Socket listener)
        : base(id, options, handlerFactory)
    {
        _listener = listener;
    }

    private protected override void SetUp()
    {
        _epoll = new Epoll(MaxEvents);
        _chunks = new ChunkPool(Options.OutputChunkCount, Options.OutputChunkSize);
        _receiveBuffer = (byte*)NativeMemory.Alloc((nuint)Options.ReceiveBufferSize);
        _sockets = new EpollSocket[Options.MaxConnectionsPerLoop];
        _eventFd = Libc.EventFd(0, Libc.EFD_CLOEXEC | Libc.EFD_NONBLOCK);
        if (_eventFd < 0) { throw new InvalidOperationException($"eventfd failed: errno {Libc.LastErrno}"); }
        _epoll.Add(_eventFd, Epoll.In, WakeToken);
        _listener.Blocking = false;
        ResumeAccepting();
    }

    private protected override void RunUntilStopped()
    {
        while (RunBetweenBatches(out var untilTimer))
        {
            var timeoutMs = untilTimer is { } wait ? (int)Math.Ceiling(Math.Max(wait.TotalMilliseconds, 0)) : -1;
            Counters.Waits++;
            var ready = _epoll.Wait(timeoutMs);
            Counters.Completions += ready;
            for (var i = 0; i < ready; i++)
            {
                var token = _epoll.Data(i);
                if (token == ListenerToken) { AcceptAll(); }
                else if (token == WakeToken) { Libc.Read(_eventFd, _receiveBuffer, sizeof(ulong)); }
                else { OnReady(ConnectionAt((int)token), _epoll.Events(i)); }
            }
        }
    }

    private protected override void Wake() => Libc.SignalEventFd(_eventFd);

    private protected override void StopAccepting() => PauseAccepting();

    private protected override void TearDown()
    {
        foreach (var connection in OpenConnections()) { Libc.Close(_sockets[connection.Index].Fd); }
        _epoll?.Dispose();
        _chunks?.Dispose();
        if (_eventFd >= 0) { Libc.Close(_eventFd); }
        NativeMemory.Free(_receiveBuffer);
        _listener.Dispose();
    }
}
