using Probe.Engine.Results;
using Probe.Scenarios.Checks;
using Probe.Scenarios.Suite;

namespace Probe.Scenarios.Steps;

/// <summary>
/// One kind of step, in one folder: the field that names it in a step (<c>"http": { … }</c>), the
/// fields of its body, its JSON Schema (its part of scenarios.schema.json), which check subjects it
/// answers, how a suite file's body becomes its <see cref="StepSpec"/>, and how a spec becomes
/// something that runs. Every kind is listed in <see cref="StepKinds.All"/>.
/// </summary>
internal abstract class StepKind
{
    /// <summary>The field naming the kind in a step, such as <c>http</c>.</summary>
    public abstract string Name { get; }

    /// <summary>The fields of the kind's body.</summary>
    public abstract IReadOnlyList<string> Fields { get; }

    /// <summary>The JSON Schema of the kind's body: its part of scenarios.schema.json.</summary>
    public abstract string Schema { get; }

    /// <summary>The check subjects the kind's results have (status, body, tls, …).</summary>
    public abstract IReadOnlySet<SubjectKind> Subjects { get; }

    /// <summary>The subjects in words, for error messages: "tls.* and latency".</summary>
    protected virtual string SubjectsText => "status, latency, size, body.* and header.*";

    /// <summary>Whether a sequence may hold steps of this kind.</summary>
    public virtual bool InSequence => false;

    /// <summary>Whether steps of this kind may <c>extract</c> values for later steps.</summary>
    public virtual bool Extracts => false;

    /// <summary>Reads the kind's body; null when it has errors (reported on <paramref name="body"/>).</summary>
    public abstract StepSpec? Read(StepHeader header, SuiteNode body, SuiteContext suite);

    /// <summary>Makes <paramref name="spec"/> (of this kind) ready to run.</summary>
    public abstract Func<StepScope, ValueTask<StepResult>> Bind(StepSpec spec, StepBinding binding);

    /// <summary>The body's <c>target</c>: a target other than the scenario's, which must be declared.</summary>
    protected static string? Target(SuiteNode body, SuiteContext suite)
    {
        string? target = body.String("target");
        if (target is not null && !suite.DeclaredTargets.Contains(target))
        {
            body.Child("target").Error($"unknown target '{target}'{SuiteNode.DidYouMean(target, suite.DeclaredTargets)}; targets: {string.Join(", ", suite.DeclaredTargets)}");
        }

        return target;
    }

    /// <summary>An object of names to text values (headers, query), secrets by reference only.</summary>
    protected static IReadOnlyDictionary<string, string> Map(SuiteNode body, string field, bool builtIns = false)
    {
        var map = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        if (body.Field(field) is not { } node)
        {
            return map;
        }

        if (node.Kind != System.Text.Json.JsonValueKind.Object)
        {
            node.Error($"expected an object of names to text values, found {SuiteNode.Describe(node.Element)}");
            return map;
        }

        foreach ((string name, SuiteNode value) in node.Members())
        {
            string? text = value.Kind switch
            {
                System.Text.Json.JsonValueKind.String => value.Element.GetString(),
                System.Text.Json.JsonValueKind.Number or System.Text.Json.JsonValueKind.True or System.Text.Json.JsonValueKind.False => value.Element.GetRawText(),
                _ => null,
            };
            if (text is null)
            {
                value.Error($"expected text, found {SuiteNode.Describe(value.Element)}");
                continue;
            }

            Secrets.Check(text, value, builtIns);
            map[name] = text;
        }

        return map;
    }

    /// <summary>A step's request headers: <see cref="Map"/>, each name a token and no value holding CR, LF or NUL.</summary>
    protected static IReadOnlyDictionary<string, string> Headers(SuiteNode body, string field = "headers", bool builtIns = false)
    {
        IReadOnlyDictionary<string, string> headers = Map(body, field, builtIns);
        foreach ((string name, string value) in headers)
        {
            if (!Probe.Scenarios.Http.RequestHeaders.IsToken(name))
            {
                body.Child(field).Child(name).Error($"a header name is a token: letters, digits and !#$%&'*+-.^_`|~ (no spaces or colons), found \"{name}\"");
            }
            else if (!Probe.Scenarios.Http.RequestHeaders.IsSendable(value))
            {
                body.Child(field).Child(name).Error("a header value may not hold CR, LF or NUL: they would end the header and start another one; write each header as its own member");
            }
            else if (Secrets.HasReference(value) && !Probe.Scenarios.Http.RequestHeaders.IsSendable(ResolvedOrEmpty(value)))
            {
                body.Child(field).Child(name).Error("a secret this header reads holds CR, LF or NUL (a line break at the end of a key file, say): they would end the header; set the variable without them");
            }
        }

        return headers;
    }

    private static string ResolvedOrEmpty(string value)
    {
        try
        {
            return Secrets.Resolve(value);
        }
        catch (InvalidOperationException)
        {
            return string.Empty; // an unset secret, reported as such
        }
    }

    /// <summary>Reports each check reading a subject the kind's results do not have.</summary>
    protected void CheckSubjects(StepHeader header, SuiteNode body)
    {
        foreach (CheckExpression check in header.Checks.Where(c => !Subjects.Contains(c.Subject.Kind)))
        {
            body.Error($"a {Name} step checks {SubjectsText} only; '{check.Text}' reads {check.Subject}");
        }
    }
}

/// <summary>What every step has, read before its kind's body: name, checks, timeout, retries and extracted values.</summary>
internal sealed record StepHeader(string Name, IReadOnlyList<CheckExpression> Checks, TimeSpan Timeout, RetrySpec? Retry, IReadOnlyDictionary<string, CheckSubject> Extract, bool InSequence = false);

/// <summary>Kinds that are answers to HTTP requests: they have every subject but a certificate's.</summary>
internal static class StepSubjects
{
    public static IReadOnlySet<SubjectKind> Http { get; } = new HashSet<SubjectKind>(Enum.GetValues<SubjectKind>().Where(k => k != SubjectKind.Tls));
}
