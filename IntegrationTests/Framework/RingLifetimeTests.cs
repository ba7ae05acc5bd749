using Loop.Internal.IoUring;

namespace Loop.IntegrationTests.Framework;

/// <summary>A ring's kernel-side registrations end with the ring, so a thread may create rings one after another.</summary>
public sealed class RingLifetimeTests
{
    [Fact]
    public void Disposing_a_ring_releases_its_registered_ring_fd()
    {
        // The kernel keeps at most 16 registered ring fds per thread, and a registration holds the ring alive
        // after its fd is closed: a thread that leaked them would get a plain fd from the 17th ring on.
        var registered = new List<bool>();
        var thread = new Thread(() =>
        {
            for (var i = 0; i < 20; i++)
            {
                using var ring = new Ring(4);
                registered.Add(ring.RingFdRegistered);
            }
        });
        thread.Start();
        thread.Join();

        Assert.Equal(20, registered.Count);
        Assert.All(registered, Assert.True);
    }
}
