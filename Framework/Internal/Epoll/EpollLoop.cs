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
    private EpollEvents _events = null!, _eventsWhileBusy = null!;
    private ChunkPool _chunks = null!;
    // Reads land in the first; serving while busy, in the second, since a handler may be reading the first.
    private byte* _receiveBuffer, _receiveBufferWhileBusy;
    private ulong _wakeCount;
    private int _eventFd = -1;
    private bool _listening;

    public EpollLoop(int id, ServerOptions options, Func<IConnectionHandler> handlerFactory, Socket listener)
        : base(id, options, handlerFactory)
    {
        _listener = listener;
    }

    private protected override void SetUp()
    {
        _epoll = new Epoll();
        _events = new EpollEvents(MaxEvents);
        _eventsWhileBusy = new EpollEvents(MaxEvents);
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
            Handle(_events, _epoll.Wait(_events, timeoutMs));
        }
    }

    // Serving while busy: the events ready now, into an array of their own (the batch being handled is in the other).
    private protected override void TakeInReady()
    {
        if (_receiveBufferWhileBusy is null) { _receiveBufferWhileBusy = (byte*)NativeMemory.Alloc((nuint)Options.ReceiveBufferSize); }
        Handle(_eventsWhileBusy, _epoll.Wait(_eventsWhileBusy, 0));
    }

    private void Handle(EpollEvents events, int ready)
    {
        Counters.Completions += ready;
        for (var i = 0; i < ready; i++)
        {
            var token = events.Data(i);
            if (token == ListenerToken) { AcceptAll(); }
            else if (token == WakeToken) { fixed (ulong* count = &_wakeCount) { Libc.Read(_eventFd, count, sizeof(ulong)); } }
            else { OnReady(ConnectionAt((int)token), events.Events(i)); }
        }
    }

    private protected override void Wake() => Libc.SignalEventFd(_eventFd);

    private protected override void StopAccepting() => PauseAccepting();

    private protected override void TearDown()
    {
        foreach (var connection in OpenConnections()) { Libc.Close(_sockets[connection.Index].Fd); }
        _epoll?.Dispose();
        _events?.Dispose();
        _eventsWhileBusy?.Dispose();
        _chunks?.Dispose();
        if (_eventFd >= 0) { Libc.Close(_eventFd); }
        NativeMemory.Free(_receiveBuffer);
        NativeMemory.Free(_receiveBufferWhileBusy);
        _listener.Dispose();
    }
}
