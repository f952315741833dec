using System.Net;
using System.Text.Json;
using Probe.Engine.Results;
using Probe.Scenarios.Checks;
using Probe.Scenarios.Suite;

namespace Probe.Scenarios.Steps.Dns;

/// <summary>The <c>dns</c> step: one lookup of a record type, from a given resolver or the system's.</summary>
internal sealed class DnsStepKind : StepKind
{
    public static readonly DnsStepKind Instance = new();

    /// <summary>The record types a dns step asks for.</summary>
    internal static readonly string[] Types = ["A", "AAAA", "CNAME", "MX", "TXT", "NS", "SOA", "SRV", "CAA", "PTR"];

    public override string Name => "dns";

    public override IReadOnlyList<string> Fields { get; } = ["query", "type", "resolver", "expect", "dnssec"];

    public override IReadOnlySet<SubjectKind> Subjects { get; } = new HashSet<SubjectKind> { SubjectKind.Latency, SubjectKind.Size, SubjectKind.Body };

    protected override string SubjectsText => "latency, size (the number of answers) and body (the answers)";

    public override string Schema => """
        {
          "type": "object",
          "additionalProperties": false,
          "required": [
            "query"
          ],
          "properties": {
            "query": {
              "type": "string",
              "description": "The name to look up, such as api.example.com."
            },
            "type": {
              "enum": [
                "A",
                "AAAA",
                "CNAME",
                "MX",
                "TXT",
                "NS",
                "SOA",
                "SRV",
                "CAA",
                "PTR"
              ],
              "description": "Default A."
            },
            "resolver": {
              "type": "string",
              "description": "The resolver, ADDRESS or ADDRESS:PORT such as 1.1.1.1 or 127.0.0.1:5353; default the system's."
            },
            "expect": {
              "type": "array",
              "items": {
                "type": "string"
              },
              "description": "Answers that must all be among those returned: addresses, host names (no trailing dot), \"10 mail.example.com\" for MX, the text for TXT."
            },
            "dnssec": {
              "type": "boolean",
              "description": "Require a DNSSEC-validated answer (the resolver's AD flag)."
            }
          },
          "description": "A DNS lookup: answers, their count and the resolver's time."
        }
        """;

    public override StepSpec? Read(StepHeader header, SuiteNode dns, SuiteContext suite)
    {
        if (!dns.IsObjectWith("a dns step", [.. Fields]))
        {
            return null;
        }

        CheckSubjects(header, dns);
        string? query = dns.String("query", required: true, example: "\"api.example.com\"");
        string type = (dns.String("type") ?? "A").ToUpperInvariant();
        if (!Types.Contains(type))
        {
            dns.Child("type").Error($"unknown record type '{type}'{SuiteNode.DidYouMean(type, Types)}; types: {string.Join(", ", Types)}");
        }

        string? resolver = dns.String("resolver");
        if (resolver is not null && DnsStep.Endpoint(resolver) is null)
        {
            dns.Child("resolver").Error($"expected a resolver's address, ADDRESS or ADDRESS:PORT such as 1.1.1.1 or 127.0.0.1:5353, found \"{resolver}\"");
        }

        var expect = new List<string>();
        if (dns.Field("expect") is { } list)
        {
            foreach (SuiteNode item in list.Items("expect"))
            {
                if (item.Kind == JsonValueKind.String)
                {
                    expect.Add(item.Element.GetString()!);
                }
                else
                {
                    item.Error($"expected an answer as text, such as \"192.0.2.10\", found {SuiteNode.Describe(item.Element)}");
                }
            }
        }

        return query is null ? null : new DnsStepSpec(header.Name, header.Checks, header.Timeout, header.Retry, query, type, resolver, expect, dns.Boolean("dnssec") ?? false);
    }

    public override Func<StepScope, ValueTask<StepResult>> Bind(StepSpec spec, StepBinding binding)
    {
        var step = new DnsStep((DnsStepSpec)spec, binding.Options.Time, binding.Checks(spec));
        return scope => step.RunAsync(scope.Context.Cancellation);
    }
}
