using Loop.Protocols.Resp;
using Loop.Samples.Redis.Server;
using Loop.Samples.Redis.Store;

namespace Loop.Samples.Redis.Commands;

/// <summary>CLIENT TRACKING, CACHING, GETREDIR and TRACKINGINFO: client-side caching, checked and worded as Redis 7.0's networking.c.</summary>
internal static class ClientTracking
{
    /// <summary>CLIENT TRACKING ON|OFF [REDIRECT id] [BCAST] [PREFIX p ...] [OPTIN] [OPTOUT] [NOLOOP].</summary>
    public static void Tracking(Session s, RespCommand c)
    {
        var redirect = 0L;
        var options = TrackingModes.None;
        var prefixes = new List<byte[]>();
        for (var i = 3; i < c.Count; i++)
        {
            var more = i + 1 < c.Count;
            if (Args.Is(c[i], "REDIRECT") && more)
            {
                if (redirect != 0) { s.Reply.Error("ERR A client can only redirect to a single other client"); return; }
                if (!Args.TryLong(c[++i], out redirect)) { s.Reply.Error(Args.NotInteger); return; }
                // The client must exist now, though it may leave later (the tracking client is then told its redirect broke).
                if (!s.Server.Clients.ContainsKey(redirect)) { s.Reply.Error("ERR The client ID you want redirect to does not exist"); return; }
            }
            else if (Args.Is(c[i], "BCAST")) { options |= TrackingModes.Broadcast; }
            else if (Args.Is(c[i], "OPTIN")) { options |= TrackingModes.OptIn; }
            else if (Args.Is(c[i], "OPTOUT")) { options |= TrackingModes.OptOut; }
            else if (Args.Is(c[i], "NOLOOP")) { options |= TrackingModes.NoLoop; }
            else if (Args.Is(c[i], "PREFIX") && more) { prefixes.Add(c[++i].ToArray()); }
            else { s.Reply.Error(Args.Syntax); return; }
        }
        if (Args.Is(c[2], "OFF"))
        {
            s.StopTracking();
            s.Reply.Ok();
            return;
        }
        if (!Args.Is(c[2], "ON")) { s.Reply.Error(Args.Syntax); return; }
        if (Refusal(s, options, prefixes) is { } refusal) { s.Reply.Error(refusal); return; }
        s.StartTracking(redirect, options, prefixes);
        s.Reply.Ok();
    }

    // Why these options cannot turn tracking on for this client, or null.
    private static string? Refusal(Session s, TrackingModes options, List<byte[]> prefixes)
    {
        var current = s.Tracking;
        var broadcast = (options & TrackingModes.Broadcast) != 0;
        if (!broadcast && prefixes.Count > 0) { return "ERR PREFIX option requires BCAST mode to be enabled"; }
        if ((current & TrackingModes.On) != 0 && broadcast != ((current & TrackingModes.Broadcast) != 0))
        {
            return "ERR You can't switch BCAST mode on/off before disabling tracking for this client, and then re-enabling it with a different mode.";
        }
        if (broadcast && (options & (TrackingModes.OptIn | TrackingModes.OptOut)) != 0) { return "ERR OPTIN and OPTOUT are not compatible with BCAST"; }
        if ((options & TrackingModes.OptIn) != 0 && (options & TrackingModes.OptOut) != 0) { return "ERR You can't specify both OPTIN mode and OPTOUT mode"; }
        if (((options & TrackingModes.OptIn) != 0 && (current & TrackingModes.OptOut) != 0) ||
            ((options & TrackingModes.OptOut) != 0 && (current & TrackingModes.OptIn) != 0))
        {
            return "ERR You can't switch OPTIN/OPTOUT mode before disabling tracking for this client, and then re-enabling it with a different mode.";
        }
        return broadcast ? KeyTracking.PrefixOverlap(prefixes, s.TrackedPrefixes) : null;
    }

    /// <summary>CLIENT CACHING YES|NO: whether the next command's keys are tracked, in OPTIN or OPTOUT mode.</summary>
    public static void Caching(Session s, RespCommand c)
    {
        var tracking = s.Tracking;
        if ((tracking & TrackingModes.On) == 0)
        {
            s.Reply.Error("ERR CLIENT CACHING can be called only when the client is in tracking mode with OPTIN or OPTOUT mode enabled");
        }
        else if (Args.Is(c[2], "YES") && (tracking & TrackingModes.OptIn) == 0)
        {
            s.Reply.Error("ERR CLIENT CACHING YES is only valid when tracking is enabled in OPTIN mode.");
        }
        else if (Args.Is(c[2], "NO") && (tracking & TrackingModes.OptOut) == 0)
        {
            s.Reply.Error("ERR CLIENT CACHING NO is only valid when tracking is enabled in OPTOUT mode.");
        }
        else if (Args.Is(c[2], "YES") || Args.Is(c[2], "NO"))
        {
            s.CacheNext();
            s.Reply.Ok();
        }
        else { s.Reply.Error(Args.Syntax); }
    }

    /// <summary>CLIENT TRACKINGINFO: the flags (a set), the redirect and the BCAST prefixes.</summary>
    public static void Info(Session s)
    {
        var tracking = s.Tracking;
        var flags = new List<string> { (tracking & TrackingModes.On) != 0 ? "on" : "off" };
        if ((tracking & TrackingModes.Broadcast) != 0) { flags.Add("bcast"); }
        var caching = (tracking & TrackingModes.Caching) != 0;
        if ((tracking & TrackingModes.OptIn) != 0) { flags.AddRange(caching ? ["optin", "caching-yes"] : ["optin"]); }
        if ((tracking & TrackingModes.OptOut) != 0) { flags.AddRange(caching ? ["optout", "caching-no"] : ["optout"]); }
        if ((tracking & TrackingModes.NoLoop) != 0) { flags.Add("noloop"); }
        if ((tracking & TrackingModes.BrokenRedirect) != 0) { flags.Add("broken_redirect"); }
        s.Reply.Map(3);
        s.Reply.Bulk("flags");
        s.Reply.Set(flags.Count);
        foreach (var flag in flags) { s.Reply.Bulk(flag); }
        s.Reply.Bulk("redirect");
        s.Reply.Integer(s.TrackingRedirect);
        s.Reply.Bulk("prefixes");
        s.Reply.Array(s.TrackedPrefixes.Count);
        foreach (var prefix in s.TrackedPrefixes.Order(ByteArrayComparer.Instance)) { s.Reply.Bulk(prefix); } // a radix tree's order, as Redis
    }
}
