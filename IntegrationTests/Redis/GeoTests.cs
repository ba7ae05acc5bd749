using System.Globalization;
using Loop.IntegrationTests.Infrastructure;

namespace Loop.IntegrationTests.Redis;

/// <summary>
/// GEOADD, GEOPOS, GEODIST, GEOHASH and the searches over a real socket. Every expected reply is what redis-server
/// 7.0.15 answered to the same commands (GeoCompatibilityTests compares the two servers on random ones).
/// </summary>
public sealed class GeoTests
{
    private const string WrongType = SetTestClient.WrongType;
    private const string Sicily = "GEOADD Sicily 13.361389 38.115556 Palermo 15.087269 37.502669 Catania";
    private const string SicilyEdges = "GEOADD Sicily 12.758489 38.788135 edge1 17.241510 38.788135 edge2";

    [Theory]
    [MemberData(nameof(Backends.Native), MemberType = typeof(Backends))]
    public async Task Geoadd_stores_geohash_scores_and_reads_back_cell_centres(Backend backend)
    {
        await using var redis = await InProcessRedis.StartAsync(backend);
        var c = await SetTestClient.ConnectAsync(redis);

        Assert.Equal(":2", await c.Ask(Sicily));
        Assert.Equal("3479099956230698", await c.Ask("ZSCORE Sicily Palermo"));
        Assert.Equal("3479447370796909", await c.Ask("ZSCORE Sicily Catania"));
        Assert.Equal("[[13.36138933897018433 38.11555639549629859] [15.08726745843887329 37.50266842333162032] (nil array)]",
            await c.Ask("GEOPOS Sicily Palermo Catania nobody"));
        Assert.Equal("[(nil array) (nil array)]", await c.Ask("GEOPOS missing a b"));
        Assert.Equal("[sqc8b49rny0 sqdtr74hyu0 (nil)]", await c.Ask("GEOHASH Sicily Palermo Catania nobody"));
        Assert.Equal("[(nil)]", await c.Ask("GEOHASH missing a"));
        Assert.Equal("166274.1516", await c.Ask("GEODIST Sicily Palermo Catania"));
        Assert.Equal("166.2742", await c.Ask("GEODIST Sicily Palermo Catania km"));
        Assert.Equal("103.3182", await c.Ask("GEODIST Sicily Palermo Catania MI"));
        Assert.Equal("545518.8700", await c.Ask("GEODIST Sicily Palermo Catania ft"));
        Assert.Equal("0.0000", await c.Ask("GEODIST Sicily Palermo Palermo"));
        Assert.Equal("(nil)", await c.Ask("GEODIST Sicily Palermo nobody"));
        Assert.Equal("(nil)", await c.Ask("GEODIST missing a b"));
        Assert.Equal("-ERR unsupported unit provided. please use M, KM, FT, MI", await c.Ask("GEODIST missing a b yards"));
        Assert.Equal("-ERR syntax error", await c.Ask("GEODIST Sicily Palermo Catania km extra"));

        // A geo set is a sorted set: ZADD-built scores work with GEO commands, and Z commands with geo sets.
        Assert.Equal(":1", await c.Ask("ZADD built 3479099956230698 Palermo"));
        Assert.Equal("[[13.36138933897018433 38.11555639549629859]]", await c.Ask("GEOPOS built Palermo"));
        Assert.Equal("[Catania Palermo]", await c.Ask("ZRANGE Sicily 0 -1 REV"));
    }

    [Theory]
    [MemberData(nameof(Backends.Native), MemberType = typeof(Backends))]
    public async Task Geoadd_takes_nx_xx_ch_and_checks_every_pair_first(Backend backend)
    {
        await using var redis = await InProcessRedis.StartAsync(backend);
        var c = await SetTestClient.ConnectAsync(redis);

        Assert.Equal(":2", await c.Ask("GEOADD g CH 10 10 x 11 11 y"));
        Assert.Equal(":1", await c.Ask("GEOADD g XX CH 10.5 10 x 1 1 new"));
        Assert.Equal("[(nil array)]", await c.Ask("GEOPOS g new"));
        Assert.Equal(":1", await c.Ask("GEOADD g NX 0 0 x 1 1 new"));
        Assert.Equal("[[10.49999803304672241 10.00000092823272979]]", await c.Ask("GEOPOS g x"));
        Assert.Equal(":2", await c.Ask("GEOADD g CH 1 1 m 1.5 1 m"));
        Assert.Equal(":0", await c.Ask("GEOADD missing XX 1 1 a"));
        Assert.Equal(":0", await c.Ask("EXISTS missing"));

        Assert.Equal("-ERR syntax error", await c.Ask("GEOADD g NX XX 10 10 x"));
        Assert.Equal("-ERR syntax error", await c.Ask("GEOADD g GT 1 1 z"));
        Assert.Equal("-ERR syntax error", await c.Ask("GEOADD g CH CH CH"));
        Assert.Equal("-ERR syntax error", await c.Ask("GEOADD g 1 1 a 2"));
        Assert.Equal("-ERR wrong number of arguments for 'geoadd' command", await c.Ask("GEOADD g 10 10"));
        Assert.Equal("-ERR invalid longitude,latitude pair 200.000000,10.000000", await c.Ask("GEOADD g 200 10 x"));
        Assert.Equal("-ERR invalid longitude,latitude pair 10.000000,-86.000000", await c.Ask("GEOADD g 10 -86 x"));
        Assert.Equal("-ERR invalid longitude,latitude pair inf,1.000000", await c.Ask("GEOADD g inf 1 x"));
        Assert.Equal("-ERR value is not a valid float", await c.Ask("GEOADD g abc 10 x"));
        Assert.Equal("-ERR value is not a valid float", await c.Ask("GEOADD g 1e400 10 x"));
        // A bad pair anywhere adds nothing.
        Assert.Equal("-ERR invalid longitude,latitude pair 999.000000,1.000000", await c.Ask("GEOADD g 1 1 fresh 999 1 other"));
        Assert.Equal("[(nil array)]", await c.Ask("GEOPOS g fresh"));
    }

    [Theory]
    [MemberData(nameof(Backends.Native), MemberType = typeof(Backends))]
    public async Task Poles_and_the_antimeridian_behave_as_in_redis(Backend backend)
    {
        await using var redis = await InProcessRedis.StartAsync(backend);
        var c = await SetTestClient.ConnectAsync(redis);

        // The upper edges overflow into the bits above 52, as Redis's encoder does; positions stay inside the square.
        Assert.Equal(":3", await c.Ask("GEOADD poles 0 85.05112878 north 0 -85.05112878 south 180 85.05112878 corner"));
        Assert.Equal("[6755399441055744 2251799813685248 13510798882111488]", await c.Ask("ZMSCORE poles north south corner"));
        Assert.Equal("[[0.00000268220901489 85.0511287799999991] [0.00000268220901489 -85.05112751263942528] [180 85.0511287799999991]]",
            await c.Ask("GEOPOS poles north south corner"));
        Assert.Equal("[up05b5048p0 h0bh0hbj200 bp05b5048p0]", await c.Ask("GEOHASH poles north south corner"));
        Assert.Equal("18919.8446", await c.Ask("GEODIST poles north south km"));
        Assert.Equal("[]", await c.Ask("GEOSEARCH poles FROMLONLAT 90 85 BYRADIUS 500 km"));

        Assert.Equal(":3", await c.Ask("GEOADD dateline 179.9 0 east -179.9 0 west 179.95 0.1 near"));
        Assert.Equal("[[east 5.5614] [near 11.1228] [west 16.6840]]", await c.Ask("GEOSEARCH dateline FROMLONLAT 179.95 0 BYRADIUS 50 km ASC WITHDIST"));
        Assert.Equal(":2", await c.Ask("GEOADD dateline2 -179.99 10 w 179.99 10 e"));
        Assert.Equal("[[w 1.0956 [-179.98999804258346558 10.00000092823272979]] [e 1.0956 [179.98999804258346558 10.00000092823272979]]]",
            await c.Ask("GEOSEARCH dateline2 FROMLONLAT -180 10 BYBOX 10 10 km DESC WITHDIST WITHCOORD"));
        // Redis strikes off the cells east of 180 here, so the point just across is not found: the same answer.
        Assert.Equal("[[e 1.0956]]", await c.Ask("GEOSEARCH dateline2 FROMLONLAT 180 10 BYRADIUS 5 km ASC WITHDIST"));
    }

    [Theory]
    [MemberData(nameof(Backends.Native), MemberType = typeof(Backends))]
    public async Task Geosearch_by_radius_and_box_sorted_counted_and_with_fields(Backend backend)
    {
        await using var redis = await InProcessRedis.StartAsync(backend);
        var c = await SetTestClient.ConnectAsync(redis);
        await c.Ask(Sicily);
        await c.Ask(SicilyEdges);

        Assert.Equal("[[Catania 56.4413 :3479447370796909 [15.08726745843887329 37.50266842333162032]] " +
                     "[Palermo 190.4424 :3479099956230698 [13.36138933897018433 38.11555639549629859]]]",
            await c.Ask("GEOSEARCH Sicily FROMLONLAT 15 37 BYRADIUS 200 km ASC WITHCOORD WITHDIST WITHHASH"));
        // Unsorted, members come cell by cell, by score within a cell.
        Assert.Equal("[Palermo edge1 Catania edge2]", await c.Ask("GEOSEARCH Sicily FROMLONLAT 15 37 BYBOX 400 400 km"));
        Assert.Equal("[[Catania 56.4413] [Palermo 190.4424] [edge2 279.7403] [edge1 279.7405]]",
            await c.Ask("GEOSEARCH Sicily FROMLONLAT 15 37 BYBOX 400 400 km ASC WITHDIST"));
        Assert.Equal("[edge1 edge2]", await c.Ask("GEOSEARCH Sicily FROMLONLAT 15 37 BYBOX 400 400 km DESC COUNT 2"));
        Assert.Equal("[[Catania 56.4413] [Palermo 190.4424]]", await c.Ask("GEOSEARCH Sicily FROMLONLAT 15 37 BYBOX 400 400 km COUNT 2 WITHDIST"));
        Assert.Equal("[Palermo]", await c.Ask("GEOSEARCH Sicily FROMLONLAT 15 37 BYRADIUS 200 km COUNT 1 DESC"));
        // ANY stops at the first found, in search order, and sorts only those.
        Assert.Equal("[Palermo]", await c.Ask("GEOSEARCH Sicily FROMLONLAT 15 37 BYBOX 400 400 km COUNT 1 ANY"));
        Assert.Equal("[[Palermo 190.4424] [edge1 279.7405]]", await c.Ask("GEOSEARCH Sicily FROMLONLAT 15 37 BYBOX 400 400 km COUNT 2 ANY ASC WITHDIST"));
        Assert.Equal("[[Palermo 0.0000] [edge1 91.4007]]", await c.Ask("GEOSEARCH Sicily FROMMEMBER Palermo BYBOX 200 200 km WITHDIST"));
        Assert.Equal("[[Catania 56.4413] [Palermo 190.4424]]", await c.Ask("GEORADIUS Sicily 15 37 200 km WITHDIST ASC"));
        Assert.Equal("[Palermo edge1]", await c.Ask("GEORADIUSBYMEMBER Sicily Palermo 100 km"));
        Assert.Equal("[Palermo edge1]", await c.Ask("GEORADIUSBYMEMBER_RO Sicily Palermo 100 km"));
        Assert.Equal("[[Catania 56.4413]]", await c.Ask("GEORADIUS_RO Sicily 15 37 100 km WITHDIST"));
        Assert.Equal("[]", await c.Ask("GEOSEARCH Sicily FROMLONLAT 0 0 BYRADIUS 1 km"));
        Assert.Equal("[]", await c.Ask("GEOSEARCH missing FROMLONLAT 0 0 BYRADIUS 1 km WITHDIST"));
        Assert.Equal("[]", await c.Ask("GEOSEARCH missing FROMMEMBER nobody BYBOX 1 1 km"));
        Assert.Equal("[]", await c.Ask("GEORADIUSBYMEMBER missing nobody abc nounit"));
    }

    [Theory]
    [MemberData(nameof(Backends.Native), MemberType = typeof(Backends))]
    public async Task Searches_check_their_arguments_in_redis_order(Backend backend)
    {
        await using var redis = await InProcessRedis.StartAsync(backend);
        var c = await SetTestClient.ConnectAsync(redis);
        await c.Ask(Sicily);

        foreach (var (command, error) in new[]
                 {
                     ("GEOSEARCH Sicily FROMMEMBER nobody BYRADIUS 1 km", "ERR could not decode requested zset member"),
                     ("GEORADIUSBYMEMBER Sicily nobody 1 km", "ERR could not decode requested zset member"),
                     ("GEOSEARCH Sicily FROMLONLAT 1 1 FROMMEMBER Palermo BYRADIUS 1 km", "ERR syntax error"),
                     ("GEOSEARCH Sicily FROMLONLAT 1 1 BYRADIUS 1 km BYBOX 1 1 km", "ERR syntax error"),
                     ("GEOSEARCH Sicily FROMLONLAT 1 1 BYRADIUS 1 km STORE x", "ERR syntax error"),
                     ("GEOSEARCH Sicily FROMLONLAT 1 1 BYRADIUS 1 km STOREDIST", "ERR syntax error"),
                     ("GEOSEARCH Sicily FROMLONLAT 1 1 BYBOX -1 1 km", "ERR height or width cannot be negative"),
                     ("GEOSEARCH Sicily FROMLONLAT 1 1 BYBOX a 1 km", "ERR need numeric width"),
                     ("GEOSEARCH Sicily FROMLONLAT 1 1 BYBOX 1 a km", "ERR need numeric height"),
                     ("GEOSEARCH Sicily FROMLONLAT 1 1 BYRADIUS a km", "ERR need numeric radius"),
                     ("GEOSEARCH Sicily FROMLONLAT 1 1 BYRADIUS -1 km", "ERR radius cannot be negative"),
                     ("GEOSEARCH Sicily FROMLONLAT 1 1 BYRADIUS 1 yd", "ERR unsupported unit provided. please use M, KM, FT, MI"),
                     ("GEOSEARCH Sicily FROMLONLAT 200 1 BYRADIUS 1 km", "ERR invalid longitude,latitude pair 200.000000,1.000000"),
                     ("GEOSEARCH Sicily FROMLONLAT 1 1 BYRADIUS 1 km ANY", "ERR the ANY argument requires COUNT argument"),
                     ("GEOSEARCH Sicily FROMLONLAT 1 1 BYRADIUS 1 km COUNT 0", "ERR COUNT must be > 0"),
                     ("GEOSEARCH Sicily FROMLONLAT 1 1 BYRADIUS 1 km COUNT x", "ERR value is not an integer or out of range"),
                     ("GeoSearch Sicily BYRADIUS 1 km WITHDIST ASC", "ERR exactly one of FROMMEMBER or FROMLONLAT can be specified for GeoSearch"),
                     ("GEOSEARCH Sicily FROMLONLAT 1 1 WITHDIST ASC", "ERR exactly one of BYRADIUS and BYBOX can be specified for GEOSEARCH"),
                     ("GEOSEARCH Sicily BYRADIUS 1 km", "ERR wrong number of arguments for 'geosearch' command"),
                     ("GEOSEARCHSTORE dst Sicily FROMLONLAT 1 1 BYRADIUS 1 km WITHDIST", "ERR GEOSEARCHSTORE is not compatible with WITHDIST, WITHHASH and WITHCOORD options"),
                     ("GEORADIUS Sicily 15 37 200 km STORE d WITHHASH", "ERR STORE option in GEORADIUS is not compatible with WITHDIST, WITHHASH and WITHCOORD options"),
                     ("GEORADIUSBYMEMBER missing m abc km STORE d WITHDIST", "ERR STORE option in GEORADIUS is not compatible with WITHDIST, WITHHASH and WITHCOORD options"),
                     ("GEORADIUS_RO Sicily 15 37 200 km STORE d", "ERR syntax error"),
                     ("GEORADIUS Sicily 15 37 200 km FROMLONLAT 1 1", "ERR syntax error"),
                     ("GEORADIUS missing 0 0 abc km", "ERR need numeric radius"),
                 })
        {
            Assert.Equal("-" + error, await c.Ask(command));
        }
    }

    [Theory]
    [MemberData(nameof(Backends.Native), MemberType = typeof(Backends))]
    public async Task Stores_write_geohash_or_distance_scores_and_delete_an_empty_result(Backend backend)
    {
        await using var redis = await InProcessRedis.StartAsync(backend);
        var c = await SetTestClient.ConnectAsync(redis);
        await c.Ask(Sicily);
        await c.Ask(SicilyEdges);

        await c.Ask("SET far string");
        await c.Ask("EXPIRE far 100");
        Assert.Equal(":3", await c.Ask("GEORADIUSBYMEMBER Sicily Palermo 300 km STORE far"));
        Assert.Equal("[Palermo 3479099956230698 edge1 3479273021651468 Catania 3479447370796909]", await c.Ask("ZRANGE far 0 -1 WITHSCORES"));
        Assert.Equal(":-1", await c.Ask("TTL far"));
        Assert.Equal(":2", await c.Ask("GEORADIUS Sicily 15 37 200 km STOREDIST near"));
        Assert.Equal(56.441257870158204, double.Parse(await c.Ask("ZSCORE near Catania"), CultureInfo.InvariantCulture));
        Assert.Equal(190.44242984775784, double.Parse(await c.Ask("ZSCORE near Palermo"), CultureInfo.InvariantCulture));
        // With STORE given twice, the last one is written.
        Assert.Equal(":1", await c.Ask("GEORADIUS Sicily 15 37 100 km STORE first STORE last"));
        Assert.Equal(":0", await c.Ask("EXISTS first"));
        Assert.Equal("[Catania]", await c.Ask("ZRANGE last 0 -1"));

        Assert.Equal(":1", await c.Ask("GEOSEARCHSTORE dst Sicily FROMMEMBER Catania BYRADIUS 100 km"));
        Assert.Equal("[Catania 3479447370796909]", await c.Ask("ZRANGE dst 0 -1 WITHSCORES"));
        Assert.Equal(":2", await c.Ask("GEOSEARCHSTORE dst Sicily FROMLONLAT 15 37 BYRADIUS 200 km STOREDIST COUNT 2 DESC"));
        Assert.Equal("[Catania Palermo]", await c.Ask("ZRANGE dst 0 -1"));
        Assert.Equal(":0", await c.Ask("GEOSEARCHSTORE dst Sicily FROMLONLAT 0 0 BYRADIUS 1 km"));
        Assert.Equal(":0", await c.Ask("EXISTS dst"));
        Assert.Equal(":0", await c.Ask("GEORADIUS Sicily 0 0 1 m STORE far"));
        Assert.Equal(":0", await c.Ask("GEORADIUS missing 0 0 1 km STORE near"));
        Assert.Equal(":0", await c.Ask("EXISTS far near"));
        Assert.Equal(":0", await c.Ask("GEOSEARCHSTORE dst missing FROMLONLAT 10 10 BYRADIUS 1000 km"));

        // On one meridian the distance is the latitude difference alone, as Redis computes it (haversine differs in the last digit).
        Assert.Equal(":2", await c.Ask("GEOADD meridian 10 -58.50172094201581 south 10 55.58939790995723 north"));
        Assert.Equal(":2", await c.Ask("GEOSEARCHSTORE d meridian FROMMEMBER south BYRADIUS 20000 km STOREDIST"));
        Assert.Equal(12689.932843686956, double.Parse(await c.Ask("ZSCORE d north"), CultureInfo.InvariantCulture));
    }

    [Theory]
    [MemberData(nameof(Backends.Native), MemberType = typeof(Backends))]
    public async Task Resp3_replies_coordinates_as_doubles_and_distances_as_strings(Backend backend)
    {
        await using var redis = await InProcessRedis.StartAsync(backend);
        using var client = await redis.ConnectAsync();
        await client.CommandAsync("HELLO", "3");
        await client.CommandAsync(Sicily.Split(' '));

        Assert.Equal("*2\r\n*2\r\n,13.36138933897018433\r\n,38.11555639549629859\r\n_\r\n", await client.CommandAsync("GEOPOS", "Sicily", "Palermo", "nobody"));
        Assert.Equal("$8\r\n166.2742\r\n", await client.CommandAsync("GEODIST", "Sicily", "Palermo", "Catania", "km"));
        Assert.Equal("_\r\n", await client.CommandAsync("GEODIST", "Sicily", "Palermo", "nobody"));
        Assert.Equal("*1\r\n*4\r\n$7\r\nCatania\r\n$7\r\n56.4413\r\n:3479447370796909\r\n*2\r\n,15.08726745843887329\r\n,37.50266842333162032\r\n",
            await client.CommandAsync("GEOSEARCH", "Sicily", "FROMLONLAT", "15", "37", "BYRADIUS", "100", "km", "WITHDIST", "WITHHASH", "WITHCOORD"));
        Assert.Equal("*1\r\n_\r\n", await client.CommandAsync("GEOHASH", "Sicily", "nobody"));
    }

    [Theory]
    [MemberData(nameof(Backends.Native), MemberType = typeof(Backends))]
    public async Task Every_geo_command_refuses_another_type(Backend backend)
    {
        await using var redis = await InProcessRedis.StartAsync(backend);
        var c = await SetTestClient.ConnectAsync(redis);
        await c.Ask("SET s v");

        foreach (var command in new[]
                 {
                     "GEOADD s 1 1 a", "GEOPOS s a", "GEODIST s a b", "GEOHASH s a", "GEOSEARCH s FROMLONLAT 1 1 BYBOX 1 1 km",
                     "GEOSEARCH s FROMMEMBER a BYBOX -1 1 km", "GEOSEARCHSTORE d s FROMLONLAT 1 1 BYRADIUS 1 km", "GEORADIUS s 0 0 1 km",
                     "GEORADIUS_RO s 0 0 1 km", "GEORADIUSBYMEMBER s a 1 km", "GEORADIUSBYMEMBER_RO s a 1 km",
                 })
        {
            Assert.Equal(WrongType, await c.Ask(command));
        }
        // GEODIST reads its unit before the key.
        Assert.Equal("-ERR unsupported unit provided. please use M, KM, FT, MI", await c.Ask("GEODIST s a b yd"));
    }

    [Theory]
    [MemberData(nameof(Backends.Native), MemberType = typeof(Backends))]
    public async Task Geo_writes_abort_watchers_and_serve_blocked_pops(Backend backend)
    {
        await using var redis = await InProcessRedis.StartAsync(backend, loops: 2);
        var socket = await redis.ConnectAsync();
        var c = new SetTestClient(socket);
        var writer = new SetTestClient(await redis.ConnectOnAnotherLoopAsync(await redis.LoopOfAsync(socket)));
        await writer.Ask(Sicily);

        foreach (var (key, change) in new[]
                 {
                     ("Sicily", "GEOADD Sicily 1 1 new"),
                     ("dst", "GEOSEARCHSTORE dst Sicily FROMMEMBER Palermo BYRADIUS 10 km"),
                     ("stored", "GEORADIUS Sicily 15 37 100 km STORE stored"),
                     ("stored", "GEORADIUSBYMEMBER Sicily Catania 1 km STOREDIST stored"),
                 })
        {
            Assert.Equal("(nil array)", await c.ExecAfter(key, $"EXISTS {key}", writer, change));
        }
        Assert.Equal("[:1]", await c.ExecAfter("Sicily", "EXISTS Sicily", writer, "GEOADD Sicily NX 1 1 new"));

        await c.Send("BZPOPMIN places 0");
        await redis.WaitForBlockedClientsAsync(1);
        Assert.Equal(":1", await writer.Ask("GEOADD places 13.361389 38.115556 Palermo"));
        Assert.Equal("[places Palermo 3479099956230698]", await c.Receive());
        await c.Send("BZPOPMAX near 0");
        await redis.WaitForBlockedClientsAsync(1);
        Assert.Equal(":2", await writer.Ask("GEOSEARCHSTORE near Sicily FROMLONLAT 15 37 BYRADIUS 200 km STOREDIST"));
        Assert.Equal("[near Palermo 190.44242984775784]", await c.Receive());
    }
}
