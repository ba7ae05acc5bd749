using System.IO.Pipelines;
using System.Net.Sockets;
using Pipelines.Sockets.Unofficial;

namespace Loop.Internal.Managed;

/// <summary>
/// One managed connection: its socket pipe and a reader that runs on the thread pool, hands each read to
/// the loop thread and waits until the loop lets it read again (so handlers never run concurrently and
/// backpressure reaches the socket).
/// </summary>
internal sealed class ManagedTransport(ManagedLoop loop, Connection connection, Socket socket)
{
    private readonly SemaphoreSlim _turn = new(0);
    private ReadResult _read;
    private int _failureErrno;
    private bool _flushPeerGone;
    private int _flushLength, _flushErrno;

    public Connection Connection { get; } = connection;
    public SocketConnection Pipe { get; } = SocketConnection.Create(socket);

    /// <summary>Set on the loop thread when the connection closes; the reader stops at its next turn.</summary>
    public volatile bool Closed;

    /// <summary>Loop thread: the reader waits for <see cref="ContinueReading"/> while reading is paused.</summary>
    public bool ReaderWaiting;

    public async Task ReadAsync()
    {
        try
        {
            while (!Closed)
            {
                _read = await Pipe.Input.ReadAsync();
                if (_read.IsCanceled || Closed) { break; }
                loop.PostIo(static s => { var t = (ManagedTransport)s!; t.Loop.OnRead(t, t._read.Buffer, t._read.IsCompleted); }, this);
                await _turn.WaitAsync();
                Pipe.Input.AdvanceTo(_read.Buffer.End);
                if (_read.IsCompleted) { break; }
            }
        }
        catch (Exception e)
        {
            _failureErrno = ErrnoOf(e);
            loop.PostIo(static s => { var t = (ManagedTransport)s!; t.Loop.OnReadFailed(t, t._failureErrno); }, this);
        }
        finally
        {
            Pipe.Input.Complete();
        }
    }

    private ManagedLoop Loop => loop;

    /// <summary>Loop thread: lets the reader read again.</summary>
    public void ContinueReading() => _turn.Release();

    /// <summary>Waits for a flush the pipe could not take at once, then tells the loop.</summary>
    public async Task AwaitFlushAsync(ValueTask<FlushResult> flush, int length)
    {
        _flushLength = length;
        _flushErrno = 0;
        try { _flushPeerGone = (await flush).IsCompleted; }
        catch (Exception e)
        {
            _flushPeerGone = true;
            _flushErrno = ErrnoOf(e);
        }
        // A connection closed meanwhile may already serve a new client: only a live one hears of its flush.
        loop.PostIo(static s =>
        {
            var t = (ManagedTransport)s!;
            if (!t.Closed) { t.Loop.AfterFlush(t.Connection, t._flushLength, t._flushPeerGone, t._flushErrno); }
        }, this);
    }

    // The pipe wraps a socket's failure (a reset is a ConnectionResetException, a failed send an IOException): the
    // errno is on the SocketException inside, whose ErrorCode is the platform's errno off Windows.
    private static int ErrnoOf(Exception? e)
    {
        for (; e is not null; e = e.InnerException)
        {
            if (e is SocketException socketError) { return socketError.ErrorCode; }
        }
        return 0;
    }

    /// <summary>
    /// Loop thread: stops the reader and ends the output. Returns true when the socket is closed; false while the
    /// pipe still holds output to send (the loop then calls <see cref="TryFinishClose"/> until it is).
    /// </summary>
    public bool Close(bool abort)
    {
        Closed = true;
        Pipe.Input.CancelPendingRead();
        _turn.Release();
        if (!abort) { Pipe.Output.Complete(); }
        return TryFinishClose(force: abort);
    }

    /// <summary>Loop thread: closes the socket once the pipe has sent everything, or anyway when <paramref name="force"/>.</summary>
    public bool TryFinishClose(bool force)
    {
        if (!force && Pipe.GetCounters().BytesWaitingToBeSent > 0) { return false; }
        Pipe.Dispose();
        return true;
    }
}
