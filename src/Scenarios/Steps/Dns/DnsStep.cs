using System.Globalization;
using System.Net;
using System.Text.Json;
using DnsClient;
using DnsClient.Protocol;
using Probe.Engine.Results;
using Probe.Engine.Timing;
using Probe.Scenarios.Checks;

namespace Probe.Scenarios.Steps.Dns;

/// <summary>
/// Asks the resolver once (no cache, no retry: a synthetic check measures the resolver as it is) and
/// judges the answers. Reasons: dns (an error code such as NXDOMAIN or SERVFAIL, no answers, an
/// unvalidated answer when DNSSEC is required, no resolver), timeout, and check (an expected answer
/// missing, or a check failing).
/// </summary>
internal sealed class DnsStep
{
    private readonly DnsStepSpec _spec;
    private readonly TimeProvider _time;
    private readonly StepChecks _checks;
    private readonly LookupClient _client;
    private readonly QueryType _type;

    public DnsStep(DnsStepSpec spec, TimeProvider time, StepChecks checks)
    {
        _spec = spec;
        _time = time;
        _checks = checks;
        _type = Enum.Parse<QueryType>(spec.Type);
        var options = spec.Resolver is { } resolver ? new LookupClientOptions(Endpoint(resolver)!) : new LookupClientOptions();
        options.UseCache = false;
        options.Retries = 0;
        options.Timeout = spec.Timeout;
        options.ThrowDnsErrors = false;
        options.RequestDnsSecRecords = spec.Dnssec;
        options.UseTcpFallback = true;
        _client = new LookupClient(options);
    }

    /// <summary>A resolver written ADDRESS or ADDRESS:PORT (port 53 by default); null when it is neither.</summary>
    internal static IPEndPoint? Endpoint(string resolver) =>
        IPEndPoint.TryParse(resolver, out IPEndPoint? endpoint) ? (endpoint.Port == 0 ? new IPEndPoint(endpoint.Address, 53) : endpoint) : null;

    public async ValueTask<StepResult> RunAsync(CancellationToken cancellation)
    {
        long start = _time.GetTimestamp();
        IDnsQueryResponse response;
        try
        {
            response = await _client.QueryAsync(_spec.Query, _type, QueryClass.IN, cancellation).ConfigureAwait(false);
        }
        catch (DnsResponseException e) when (e.Code == DnsResponseCode.ConnectionTimeout)
        {
            return StepResult.Fail(FailureReason.Timeout, $"no answer to {_spec.Query} {_spec.Type} from {Resolver} within the step's timeout");
        }
        catch (DnsResponseException e)
        {
            return StepResult.Fail(FailureReason.Dns, $"{_spec.Query} {_spec.Type} from {Resolver}: {e.Message}");
        }

        long took = _time.ToNanoseconds(_time.GetTimestamp() - start);
        var phases = new PhaseTimings(took, -1, -1, -1, -1);
        if (response.HasError)
        {
            return StepResult.Fail(FailureReason.Dns, $"{_spec.Query} {_spec.Type}: {Mnemonic(response.Header.ResponseCode)} ({response.ErrorMessage})") with { Phases = phases };
        }

        string[] answers = response.Answers.Where(a => a.RecordType.ToString() == _spec.Type || _type == QueryType.CNAME).Select(Text).ToArray();
        return Judge(answers, response.Header.IsAuthenticData, took) with { Phases = phases };
    }

    /// <summary>A response code as dig and RFC 1035 write it: NXDOMAIN, SERVFAIL, REFUSED…</summary>
    private static string Mnemonic(DnsHeaderResponseCode code) => code switch
    {
        DnsHeaderResponseCode.NotExistentDomain => "NXDOMAIN",
        DnsHeaderResponseCode.ServerFailure => "SERVFAIL",
        DnsHeaderResponseCode.Refused => "REFUSED",
        DnsHeaderResponseCode.FormatError => "FORMERR",
        DnsHeaderResponseCode.NotImplemented => "NOTIMP",
        _ => code.ToString().ToUpperInvariant(),
    };

    private string Resolver => _spec.Resolver ?? "the system's resolver";

    private StepResult Judge(string[] answers, bool validated, long took)
    {
        if (_spec.Dnssec && !validated)
        {
            return StepResult.Fail(FailureReason.Dns, $"{_spec.Query} {_spec.Type}: the answer is not DNSSEC-validated (no AD flag from {Resolver})", sizeBytes: answers.Length);
        }

        string[] missing = _spec.Expect.Where(e => !answers.Contains(e.TrimEnd('.'), StringComparer.OrdinalIgnoreCase)).ToArray();
        if (missing.Length > 0)
        {
            return StepResult.Fail(FailureReason.Check, $"expected {string.Join(", ", missing)} among the {_spec.Type} answers for {_spec.Query}; got {(answers.Length == 0 ? "none" : string.Join(", ", answers))}", sizeBytes: answers.Length);
        }

        if (answers.Length == 0 && _spec.Expect.Count == 0 && _spec.Checks.Count == 0)
        {
            return StepResult.Fail(FailureReason.Dns, $"{_spec.Query} has no {_spec.Type} records");
        }

        var input = new CheckInput(0, took, answers.Length, JsonSerializer.Serialize(answers));
        return _checks.FirstFailure(input) is { } failure
            ? StepResult.Fail(FailureReason.Check, failure, sizeBytes: answers.Length)
            : StepResult.Ok(sizeBytes: answers.Length);
    }

    /// <summary>An answer as people write it: an address, a host name without the trailing dot, "10 mail.example.com", the text.</summary>
    private static string Text(DnsResourceRecord record) => record switch
    {
        ARecord a => a.Address.ToString(),
        AaaaRecord a => a.Address.ToString(),
        CNameRecord c => c.CanonicalName.Value.TrimEnd('.'),
        NsRecord n => n.NSDName.Value.TrimEnd('.'),
        PtrRecord p => p.PtrDomainName.Value.TrimEnd('.'),
        MxRecord m => $"{m.Preference.ToString(CultureInfo.InvariantCulture)} {m.Exchange.Value.TrimEnd('.')}",
        TxtRecord t => string.Concat(t.Text),
        SrvRecord s => $"{s.Priority} {s.Weight} {s.Port} {s.Target.Value.TrimEnd('.')}",
        _ => record.ToString(),
    };
}
