namespace Probe.Exporter.Reports;

/// <summary>What a report says about the run besides its figures: the suite, where it ran, from which commit.</summary>
/// <param name="Suite">The suite's name.</param>
/// <param name="SuiteFile">The suite file.</param>
/// <param name="Region">The region the generator ran as.</param>
/// <param name="Host">The generator's host name.</param>
/// <param name="GitCommit">The commit of the working tree, when there is one.</param>
/// <param name="ProbeVersion">Probe's version.</param>
public sealed record RunInfo(string Suite, string SuiteFile, string Region, string Host, string? GitCommit, string ProbeVersion);
