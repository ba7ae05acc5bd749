namespace Loop.Samples.Redis.Commands;

/// <summary>Every command family registers its commands here.</summary>
internal static class CommandFamilies
{
    public static void RegisterAll(CommandTable table)
    {
        ConnectionCommands.Register(table);
        ServerCommands.Register(table);
        TransactionCommands.Register(table);
        StringCommands.Register(table);
        BitmapCommands.Register(table);
        BitfieldCommands.Register(table);
        LcsCommand.Register(table);
        HyperLogLogCommands.Register(table);
        KeyCommands.Register(table);
        DumpCommands.Register(table);
        MigrateCommand.Register(table);
        ObjectCommand.Register(table);
        SortCommands.Register(table);
        ListCommands.Register(table);
        HashCommands.Register(table);
        SetCommands.Register(table);
        SortedSetCommands.Register(table);
        GeoCommands.Register(table);
        MultiKeyPopCommands.Register(table);
        StreamCommands.Register(table);
        StreamReadCommands.Register(table);
        StreamInfoCommand.Register(table);
        StreamGroupCommands.Register(table);
        StreamClaimCommands.Register(table);
        PubSubCommands.Register(table);
        PersistenceCommands.Register(table);
        ReplicationCommands.Register(table);
        AdminCommands.Register(table);
        AclCommand.Register(table);
        SlowLogCommand.Register(table);
        LatencyCommand.Register(table);
        DebugCommand.Register(table);
        ScriptingCommands.Register(table);
        FunctionCommands.Register(table);
        Subcommands.Register(table);
    }
}
