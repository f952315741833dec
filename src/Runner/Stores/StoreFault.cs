namespace Probe.Runner.Stores;

/// <summary>What a failed store operation says about the store.</summary>
internal enum StoreFault
{
    /// <summary>The store is down, slow or full: results wait in the spool and the write is tried again.</summary>
    Outage,

    /// <summary>The store refused the data itself (a value it cannot hold): trying again cannot help; the result is quarantined.</summary>
    Content,

    /// <summary>The store cannot be used as configured (credentials, database, permissions): bad input at start.</summary>
    Configuration,
}
