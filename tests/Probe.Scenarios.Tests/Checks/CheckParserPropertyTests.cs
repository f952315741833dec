using CsCheck;
using Probe.Engine.Thresholds;
using Probe.Scenarios.Checks;

namespace Probe.Scenarios.Tests.Checks;

/// <summary>
/// Properties of the check and threshold parsers over generated text — the words of their grammars
/// shuffled with stray characters, as a hand-edited suite may hold: they never throw (a suite with a
/// bad check is exit 2 with a located message, not a stack trace), every error names a column inside
/// the text (or just past its end), and a check's subject written back reads as the same subject.
/// </summary>
public class CheckParserPropertyTests
{
    private static readonly string[] CheckWords =
    [
        "status", "latency", "size", "body", "header.", "tls.", ".length", ".", "[0]", "[", "]", "results", "score", "content-type", "expires_in", "trusted",
        "==", "!=", "<", "<=", ">", ">=", "contains", "!contains", "in", "exists", "missing", "200", "-1", "0.5", "1.5s", "300ms", "14d", "\"ok\"", "\"", "'", "true", "null", "(", ")", ",", " ", " ", "é", "\u0000",
    ];

    private static readonly string[] ThresholdWords =
    [
        "p95", "p(99)", "p(99.9)", "mean", "avg", "med", "min", "max", "error_rate", "rps", "dropped", "count", "failures", "latency.", "service.", "ttft", "itl", "tpot", "e2e", "output_tps", "goodput", "(",
        ")", ",", "http_req_duration", "http_req_failed", "checks", "http_reqs", "iterations", ":", "rate", "<", "<=", ">", ">=", "==", "!=", "500", "1s", "250ms", "1%", "0.01", "/s", "over", "30s", " ", " ", "x", "\u0000",
    ];

    private static readonly string[] Segments = [".results", "[0]", "[12]", ".score", ".a_b", ".x-y", ".é", ".0", "[-1]", ".", "[x]"];

    [Fact]
    public void CheckParser_AnyText_ParsesOrSaysWhereItFailed()
    {
        // Half shuffled words, half shaped like checks (subject, operator, value), so both paths are walked.
        Gen<string> subject = Gen.Frequency(
            (1, Gen.OneOf(Gen.Const("status"), Gen.Const("latency"), Gen.Const("size"), Gen.Const("header.content-type"), Gen.Const("tls.expires_in"))),
            (3, Gen.Int[0, Segments.Length - 1].Select(i => Segments[i]).Array[0, 4].Select(path => "body" + string.Concat(path))));
        Gen<string> operation = Gen.Select(Pick(CheckWords[16..27]), Pick(CheckWords[27..]), (op, value) => op + " " + value);
        Gen<string> shaped = Gen.Select(subject, Gen.Bool, Gen.Frequency((3, operation), (1, Words(CheckWords[16..]))), (s, length, rest) => (length ? s + ".length" : s) + " " + rest);
        int parsed = 0;
        Gen.Frequency((1, Words(CheckWords)), (1, shaped)).Sample(text =>
        {
            if (!CheckParser.TryParse(text, out CheckExpression? check, out CheckParseError? error))
            {
                return error.Column >= 1 && error.Column <= text.Length + 1 && error.Message.Length > 0;
            }

            Interlocked.Increment(ref parsed);

            // The subject written back is read as the same subject.
            CheckExpression again = CheckParser.Parse(check.Subject + " exists");
            return again.Subject.Kind == check.Subject.Kind && again.Subject.Length == check.Subject.Length && again.Subject.Path.SequenceEqual(check.Subject.Path);
        }, iter: 20_000);
        Assert.True(parsed > 500, $"only {parsed} of the generated checks parsed: the round trip was hardly tried");
    }

    [Fact]
    public void ThresholdParser_AnyText_ParsesOrSaysWhereItFailed()
    {
        Words(ThresholdWords).Sample(text =>
            ThresholdParser.TryParse(text, out _, out ThresholdParseError? error)
            || (error.Column >= 1 && error.Column <= text.Length + 1 && error.Message.Length > 0), iter: 20_000);
    }

    private static Gen<string> Pick(string[] words) => Gen.Int[0, words.Length - 1].Select(i => words[i]);

    private static Gen<string> Words(string[] words) => Gen.Int[0, words.Length - 1].Select(i => words[i]).Array[1, 7].Select(parts => string.Concat(parts));
}
