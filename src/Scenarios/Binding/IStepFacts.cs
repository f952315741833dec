namespace Probe.Scenarios.Binding;

/// <summary>
/// Facts steps learn beyond ok/failed, for a long-running runner to publish: a certificate's expiry
/// (tls steps) and each LLM answer's token figures (rag steps). Called on the step's thread: keep it quick.
/// </summary>
public interface IStepFacts
{
    void CertificateExpires(string scenario, string step, DateTimeOffset notAfter);

    void Llm(string scenario, string step, Probe.Engine.Results.TokenTimings tokens);

    /// <summary>A browser step's page figures (the last page its journey was on); sinks that keep none need not implement it.</summary>
    void WebVitals(string scenario, string step, WebVitals vitals)
    {
    }
}

/// <summary>
/// A page's Web Vitals as the browser measured them, in milliseconds from the navigation's start (-1
/// when the page had none): time to first byte, first and largest contentful paint; and the cumulative
/// layout shift (unitless, shifts not caused by input).
/// </summary>
public sealed record WebVitals(double TtfbMs, double FcpMs, double LcpMs, double Cls);

/// <summary>Simulated network conditions for one region's clients: added latency before each request and a share of requests lost (failed as connect errors).</summary>
/// <param name="AddedLatency">Added before every HTTP request. 0 or more.</param>
/// <param name="Loss">The share of requests that fail as if the connection were lost, from 0 to 1, spread evenly (exactly that share of every run of requests).</param>
public sealed record NetworkConditions(TimeSpan AddedLatency, double Loss)
{
    public static readonly NetworkConditions None = new(TimeSpan.Zero, 0);
}
