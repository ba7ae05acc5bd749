using System.Text.RegularExpressions;
using Loop.IntegrationTests.Framework;
using Loop.IntegrationTests.Infrastructure;

namespace Loop.IntegrationTests.Redis;

/// <summary>
/// CLIENT TRACKING against redis-server 7.0: the same script goes to both, and every reply and invalidation each client
/// receives is compared. The tracking clients are on another loop than the writer here, so invalidations cross loops;
/// one RESP2 client redirects to a pub/sub client on a third connection of the other loop. A step that must send
/// nothing is followed by one that sends a known invalidation, which has to be the next message the client reads.
/// </summary>
public sealed class ClientTrackingDifferentialTests
{
    private const int Tracker = 0, Writer = 1, Listener = 2, RedirectingTracker = 3, Leaver = 4;

    [Theory]
    [MemberData(nameof(Backends.All), MemberType = typeof(Backends))]
    public async Task Invalidations_replies_and_errors_are_redis_s(Backend backend)
    {
        await using var ours = await InProcessRedis.StartAsync(backend);
        await using var real = await RealRedis.StartAsync();
        var tracker = new RespClient(await ours.ConnectAsync());
        var writer = await ours.ConnectClientOnAnotherLoopAsync(tracker);
        var ourClients = new[] { tracker, writer, await ours.ConnectClientOnAnotherLoopAsync(tracker), await ours.ConnectClientOnAnotherLoopAsync(writer), await ours.ConnectClientOnAnotherLoopAsync(tracker) };
        var theirClients = new RespClient[5];
        for (var i = 0; i < theirClients.Length; i++) { theirClients[i] = await RespClient.ConnectAsync(real.EndPoint); }
        try
        {
            var script = new Script(ourClients, theirClients);
            await script.StartAsync();

            // Default mode: a key read is invalidated once, by a write from another loop; MSET tells of each key.
            await script.StepAsync(Tracker, "CLIENT", "TRACKING", "ON");
            await script.StepAsync(Writer, "SET", "k1", "v");
            await script.StepAsync(Tracker, "GET", "k1");
            await script.StepAsync(Writer, "SET", "k1", "v2");
            await script.ReadAsync(Tracker, 1);
            await script.StepAsync(Writer, "SET", "k1", "v3"); // no longer tracked: the next message is the fence's
            await script.StepAsync(Tracker, "MGET", "k2", "k3", "fence0");
            await script.StepAsync(Writer, "MSET", "k2", "a", "k3", "b");
            await script.ReadAsync(Tracker, 2);
            // A script that reads anything tracks the keys it declares; the client's own write is told after its reply.
            await script.StepAsync(Tracker, "EVAL", "return redis.call('get', KEYS[1])", "2", "s1", "s2");
            await script.StepAsync(Writer, "MSET", "s2", "x", "s1", "y");
            await script.ReadAsync(Tracker, 2);
            await script.StepAsync(Tracker, "GET", "own");
            await script.StepAsync(Tracker, ["SET", "own", "1"], replies: 2);

            // NOLOOP: its own writes are not told.
            await script.StepAsync(Tracker, "CLIENT", "TRACKING", "ON", "NOLOOP");
            await script.StepAsync(Tracker, "GET", "own");
            await script.StepAsync(Tracker, "SET", "own", "2");
            await script.StepAsync(Tracker, "GET", "fence1");
            await script.StepAsync(Writer, "SET", "fence1", "1");
            await script.ReadAsync(Tracker, 1);

            // OPTIN: only the command after CLIENT CACHING YES is tracked.
            await script.StepAsync(Tracker, "CLIENT", "TRACKING", "OFF");
            await script.StepAsync(Tracker, "CLIENT", "TRACKING", "ON", "OPTIN");
            await script.StepAsync(Tracker, "GET", "o1");
            await script.StepAsync(Tracker, "CLIENT", "CACHING", "YES");
            await script.StepAsync(Tracker, "CLIENT", "TRACKINGINFO");
            await script.StepAsync(Tracker, "GET", "o2");
            await script.StepAsync(Tracker, "GET", "o3");
            await script.StepAsync(Writer, "MSET", "o1", "1", "o2", "2", "o3", "3");
            await script.ReadAsync(Tracker, 1);

            // The refusals, each worded as Redis words it.
            await script.StepAsync(Tracker, "CLIENT", "CACHING", "NO");
            await script.StepAsync(Tracker, "CLIENT", "TRACKING", "ON", "OPTOUT");
            await script.StepAsync(Tracker, "CLIENT", "TRACKING", "ON", "BCAST");
            await script.StepAsync(Tracker, "CLIENT", "TRACKING", "ON", "PREFIX", "a");
            await script.StepAsync(Tracker, "CLIENT", "TRACKING", "OFF");
            await script.StepAsync(Tracker, "CLIENT", "CACHING", "YES");
            await script.StepAsync(Tracker, "CLIENT", "GETREDIR");
            await script.StepAsync(Tracker, "CLIENT", "TRACKING", "ON", "BCAST", "OPTIN");
            await script.StepAsync(Tracker, "CLIENT", "TRACKING", "ON", "OPTIN", "OPTOUT");
            await script.StepAsync(Tracker, "CLIENT", "TRACKING", "ON", "REDIRECT", "987654");
            await script.StepAsync(Tracker, "CLIENT", "TRACKING", "ON", "REDIRECT", "x");
            await script.StepAsync(Tracker, "CLIENT", "TRACKING", "ON", "BCAST", "PREFIX", "ab", "PREFIX", "a");
            await script.StepAsync(Tracker, "CLIENT", "TRACKING", "MAYBE");
            await script.StepAsync(Tracker, "CLIENT", "TRACKING", "ON", "NOPE");

            // BCAST: every change under a prefix, a message per prefix in the prefixes' order, a transaction's in one.
            await script.StepAsync(Tracker, "CLIENT", "TRACKING", "ON", "BCAST", "PREFIX", "user:", "PREFIX", "obj:");
            await script.StepAsync(Tracker, "CLIENT", "TRACKING", "ON", "BCAST", "PREFIX", "obj:x");
            await script.StepAsync(Writer, "MSET", "user:1", "a", "obj:2", "b", "other", "c", "user:0", "d");
            await script.ReadAsync(Tracker, 2);
            await script.StepAsync(Tracker, "MULTI");
            await script.StepAsync(Tracker, "SET", "user:9", "x");
            await script.StepAsync(Tracker, "INCR", "user:8");
            await script.StepAsync(Tracker, ["EXEC"], replies: 2);
            await script.StepAsync(Tracker, "CLIENT", "TRACKINGINFO");
            await script.InfoAsync();

            // RESP2 through redirection: messages of __redis__:invalidate to a subscribed client.
            await script.StepAsync(Listener, "SUBSCRIBE", "__redis__:invalidate");
            await script.StepAsync(RedirectingTracker, "CLIENT", "TRACKING", "ON", "REDIRECT", "{listener}");
            await script.StepAsync(RedirectingTracker, "GET", "r1");
            await script.StepAsync(Writer, "SET", "r1", "z");
            await script.ReadAsync(Listener, 1);
            await script.RedirectIsAsync(RedirectingTracker, "listener");

            // A flush tells every tracking client that all keys are gone.
            await script.StepAsync(RedirectingTracker, "GET", "r2");
            await script.StepAsync(Writer, "FLUSHALL");
            await script.ReadAsync(Tracker, 1);
            await script.ReadAsync(Listener, 1);
            await script.InfoAsync();

            // The client it redirects to leaves: a RESP3 client is told, and says so in TRACKINGINFO.
            await script.StepAsync(Tracker, "CLIENT", "TRACKING", "OFF");
            await script.StepAsync(Tracker, "CLIENT", "TRACKING", "ON", "REDIRECT", "{leaver}");
            await script.StepAsync(Tracker, "GET", "b1");
            await script.StepAsync(Leaver, "QUIT");
            await script.StepAsync(Writer, "SET", "b1", "1");
            await script.ReadAsync(Tracker, 1);
            await script.StepAsync(Tracker, "CLIENT", "TRACKINGINFO");
            await script.StepAsync(Tracker, "CLIENT", "INFO");

            Assert.True(script.Compared > 70, $"only {script.Compared} messages compared");
        }
        finally
        {
            foreach (var client in ourClients.Concat(theirClients)) { client.Dispose(); }
        }
    }

    private sealed class Script(RespClient[] ours, RespClient[] theirs)
    {
        // Per server: the client ids a command may name ({tracker}, {listener}, {leaver}), shown back as those names.
        private readonly Dictionary<string, long>[] _ids = [[], []];

        public int Compared { get; private set; }

        public async Task StartAsync()
        {
            foreach (var (clients, ids) in new[] { (theirs, _ids[0]), (ours, _ids[1]) })
            {
                foreach (var (name, client) in new[] { ("tracker", Tracker), ("listener", Listener), ("leaver", Leaver) })
                {
                    ids[name] = (long)(await clients[client].CallAsync("CLIENT", "ID"))!;
                }
                await clients[Tracker].CallAsync("HELLO", "3");
            }
        }

        /// <summary>Sends a command from one client to both servers and compares its <paramref name="replies"/> messages.</summary>
        public async Task StepAsync(int client, params string[] command) => await StepAsync(client, command, replies: 1);

        public async Task StepAsync(int client, string[] command, int replies)
        {
            var shown = new string[2];
            for (var server = 0; server < 2; server++)
            {
                var clients = server == 0 ? theirs : ours;
                await clients[client].SendAsync([.. command.Select(argument => Substituted(server, argument))]);
                shown[server] = await ReceivedAsync(server, clients[client], replies);
            }
            Assert.True(shown[0] == shown[1], $"client {client}: {string.Join(' ', command)}\nredis-server: {shown[0]}\nloop-redis:   {shown[1]}");
            Compared += replies;
        }

        /// <summary>Compares the next <paramref name="count"/> messages a client receives without sending anything.</summary>
        public async Task ReadAsync(int client, int count)
        {
            var shown = new string[2];
            for (var server = 0; server < 2; server++) { shown[server] = await ReceivedAsync(server, (server == 0 ? theirs : ours)[client], count); }
            Assert.True(shown[0] == shown[1], $"client {client} received\nredis-server: {shown[0]}\nloop-redis:   {shown[1]}");
            Compared += count;
        }

        /// <summary>CLIENT GETREDIR names the client given (its id differs between the servers).</summary>
        public async Task RedirectIsAsync(int client, string name)
        {
            for (var server = 0; server < 2; server++)
            {
                Assert.Equal(_ids[server][name], await (server == 0 ? theirs : ours)[client].CallAsync("CLIENT", "GETREDIR"));
            }
        }

        /// <summary>Compares INFO's tracking figures.</summary>
        public async Task InfoAsync()
        {
            var shown = new string[2];
            for (var server = 0; server < 2; server++)
            {
                var info = (string)(await (server == 0 ? theirs : ours)[Writer].CallAsync("INFO"))!;
                shown[server] = string.Join(" ", Regex.Matches(info, @"tracking_\w+:\d+").Select(m => m.Value));
            }
            Assert.True(shown[0] == shown[1], $"INFO\nredis-server: {shown[0]}\nloop-redis:   {shown[1]}");
            Assert.Equal(4, shown[1].Split(' ').Length);
        }

        private string Substituted(int server, string argument) =>
            argument.StartsWith('{') ? _ids[server][argument.Trim('{', '}')].ToString() : argument;

        private async Task<string> ReceivedAsync(int server, RespClient client, int count)
        {
            var received = new List<string>();
            for (var i = 0; i < count; i++) { received.Add(SameAsRealRedis.Show(await client.ReadAsync())); }
            var text = string.Join(" ", received);
            // Ids differ between the servers; CLIENT INFO's line is compared for its tracking fields only.
            foreach (var (name, id) in _ids[server]) { text = Regex.Replace(text, $@"(?<=(redirect, |redir-broken, |redir=)){id}\b", $"{{{name}}}"); }
            var line = Regex.Match(text, @"flags=\S+ .* redir=\S+");
            return line.Success ? Regex.Replace(line.Value, @" db=.* user=\S+", "") : text;
        }
    }
}
