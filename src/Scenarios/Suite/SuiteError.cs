namespace Probe.Scenarios.Suite;

/// <summary>
/// One problem in a suite file: where (file, line, column, JSON path) and what (the value found,
/// what is allowed, how to fix it), as one line: <c>scenarios.json:12:18: $.scenarios.smoke.load: …</c>.
/// </summary>
public sealed record SuiteError(string File, int Line, int Column, string Path, string Message)
{
    public override string ToString() => $"{File}:{Line}:{Column}: {Path}: {Message}";
}

/// <summary>Thrown when a suite file has errors; <see cref="Errors"/> has every one of them.</summary>
public sealed class SuiteException : Exception
{
    public SuiteException(IReadOnlyList<SuiteError> errors)
        : base(Describe(errors)) => Errors = errors;

    public SuiteException()
        : this([])
    {
    }

    public SuiteException(string message)
        : base(message) => Errors = [];

    public SuiteException(string message, Exception inner)
        : base(message, inner) => Errors = [];

    public IReadOnlyList<SuiteError> Errors { get; }

    private static string Describe(IReadOnlyList<SuiteError> errors) =>
        errors.Count == 1 ? errors[0].ToString() : $"{errors.Count} errors:{Environment.NewLine}{string.Join(Environment.NewLine, errors)}";
}
