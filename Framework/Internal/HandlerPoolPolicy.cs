using Microsoft.Extensions.ObjectPool;

namespace Loop.Internal;

/// <summary>Creates handlers with the server's factory and keeps those that reset cleanly.</summary>
internal sealed class HandlerPoolPolicy(Func<IConnectionHandler> factory) : PooledObjectPolicy<IConnectionHandler>
{
    public override IConnectionHandler Create() => factory();

    public override bool Return(IConnectionHandler handler) => handler is not IResettable r || r.TryReset();
}
