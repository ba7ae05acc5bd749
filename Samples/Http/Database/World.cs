namespace Loop.Samples.Http.Database;

/// <summary>A row of TechEmpower's World table.</summary>
public readonly record struct World(int Id, int RandomNumber);

/// <summary>A row of TechEmpower's Fortune table.</summary>
public readonly record struct Fortune(int Id, string Message);
