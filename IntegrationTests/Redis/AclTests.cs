using Loop.IntegrationTests.Framework;
using Loop.IntegrationTests.Infrastructure;

namespace Loop.IntegrationTests.Redis;

/// <summary>
/// ACL users across loops: a change reaches a user's open connections, and deleting the user closes them; the ACL file;
/// requirepass as the default user's password.
/// </summary>
public sealed class AclTests
{
    [Theory]
    [MemberData(nameof(Backends.All), MemberType = typeof(Backends))]
    public async Task A_changed_user_is_enforced_on_its_open_connections_and_a_deleted_one_closed(Backend backend)
    {
        await using var server = await InProcessRedis.StartAsync(backend);
        var admin = new RespClient(await server.ConnectAsync());
        var alice = await server.ConnectClientOnAnotherLoopAsync(admin);
        Assert.Equal("OK", await admin.CallAsync("ACL", "SETUSER", "alice", "on", ">secret", "+@all", "~*"));
        Assert.Equal("OK", await alice.CallAsync("AUTH", "alice", "secret"));
        Assert.Equal("OK", await alice.CallAsync("SET", "k", "v"));

        Assert.Equal("OK", await admin.CallAsync("ACL", "SETUSER", "alice", "-set"));
        Assert.Equal(new RespError("NOPERM this user has no permissions to run the 'set' command"), await alice.CallAsync("SET", "k", "w"));
        Assert.Equal("v", await alice.CallAsync("GET", "k"));
        Assert.Equal("OK", await admin.CallAsync("ACL", "SETUSER", "alice", "resetkeys", "~other"));
        Assert.Equal(new RespError("NOPERM this user has no permissions to access one of the keys used as arguments"), await alice.CallAsync("GET", "k"));
        Assert.Contains("user=alice", (string)(await admin.CallAsync("CLIENT", "LIST"))!);
        // A transaction's commands are checked again at EXEC: the rules may have changed since they were queued.
        Assert.Equal("OK", await alice.CallAsync("MULTI"));
        Assert.Equal("QUEUED", await alice.CallAsync("GET", "other"));
        Assert.Equal("OK", await admin.CallAsync("ACL", "SETUSER", "alice", "-get"));
        Assert.Equal(new object?[] { new RespError("NOPERM ACLs rules changed between the moment the transaction was accumulated and the EXEC call. " +
            "This command is no longer allowed for the following reason: no permission to execute the command or subcommand") }, await alice.CallAsync("EXEC"));

        Assert.Equal(1L, await admin.CallAsync("ACL", "DELUSER", "alice"));
        await alice.Socket.DrainUntilClosedAsync();
        Assert.Equal(new RespError("WRONGPASS invalid username-password pair or user is disabled."), await admin.CallAsync("AUTH", "alice", "secret"));
        Assert.Equal("default", await admin.CallAsync("ACL", "WHOAMI"));
    }

    [Fact]
    public async Task ACL_SAVE_writes_the_users_to_aclfile_and_LOAD_replaces_them_all_or_nothing()
    {
        var directory = Directory.CreateTempSubdirectory("loop-acl-").FullName;
        try
        {
            var file = Path.Combine(directory, "users.acl");
            await using var server = await InProcessRedis.StartAsync(Backend.Auto, settings: ("aclfile", file));
            var admin = new RespClient(await server.ConnectAsync());
            var bob = await server.ConnectClientOnAnotherLoopAsync(admin);
            Assert.Equal("OK", await admin.CallAsync("ACL", "SETUSER", "bob", "on", ">b", "+get", "~k*"));
            Assert.Equal("OK", await bob.CallAsync("AUTH", "bob", "b"));
            Assert.Equal("OK", await admin.CallAsync("ACL", "SAVE"));
            Assert.Equal(["user bob on #" + Sha256Hex("b") + " ~k* resetchannels -@all +get", "user default on nopass ~* &* +@all"],
                File.ReadAllLines(file));

            File.WriteAllText(file, "user carol on nopass +@all ~*\nnot a user\nuser dave +nocmd\n");
            Assert.Equal(new RespError($"ERR {file}:2: line should start with user keyword. {file}:3: Error in user declaration 'dave': Unknown command or category name in ACL."),
                await admin.CallAsync("ACL", "LOAD"));
            Assert.Equal(new object?[] { "bob", "default" }, await admin.CallAsync("ACL", "USERS"));

            File.WriteAllText(file, "user carol on nopass +@all ~*\n");
            Assert.Equal("OK", await admin.CallAsync("ACL", "LOAD"));
            Assert.Equal(new object?[] { "carol", "default" }, await admin.CallAsync("ACL", "USERS"));
            await bob.Socket.DrainUntilClosedAsync(); // bob is gone, and so is its connection
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }

        static string Sha256Hex(string text) => Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(text)));
    }

    [Theory]
    [MemberData(nameof(Backends.All), MemberType = typeof(Backends))]
    public async Task Requirepass_is_the_default_user_s_password(Backend backend)
    {
        await using var server = await InProcessRedis.StartAsync(backend, requirePass: "pw");
        var client = new RespClient(await server.ConnectAsync());
        Assert.Equal(new RespError("NOAUTH Authentication required."), await client.CallAsync("GET", "k"));
        Assert.Equal("OK", await client.CallAsync("AUTH", "default", "pw"));
        Assert.Equal("OK", await client.CallAsync("CONFIG", "SET", "requirepass", "new"));
        Assert.Equal(new RespError("WRONGPASS invalid username-password pair or user is disabled."), await client.CallAsync("AUTH", "pw"));
        Assert.Equal("OK", await client.CallAsync("AUTH", "new"));
        Assert.StartsWith("user default on #", (string)((object?[])(await client.CallAsync("ACL", "LIST"))!)[0]!);
        Assert.Equal("OK", await client.CallAsync("CONFIG", "SET", "requirepass", ""));
        Assert.Equal(new object?[] { "user default on nopass ~* &* +@all" }, await client.CallAsync("ACL", "LIST"));
    }
}
