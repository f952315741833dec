using System.Text;
using System.Text.Json;
using Probe.Scenarios.Checks;

namespace Probe.Scenarios.Steps.Rag.Apis;

/// <summary>
/// Any other JSON API: the step's <c>body</c> template with <c>${question}</c> in its strings replaced
/// by the question (JSON-escaped); the answer at <c>answer</c>; streamed, each event's piece of the
/// answer at <c>token</c> (default: the event's <c>token</c>, <c>content</c>, <c>text</c> or
/// <c>delta</c>); token usage at <c>output_tokens</c>/<c>input_tokens</c> (default: a <c>usage</c>
/// object), in the whole answer or any event.
/// </summary>
internal sealed class TemplateApi : LlmApi
{
    /// <summary>The placeholder a template's strings hold.</summary>
    public const string Placeholder = "${question}";

    private readonly string[] _parts;
    private readonly CheckSubject? _token;
    private readonly CheckSubject? _output;
    private readonly CheckSubject? _input;

    /// <param name="template">The body template as JSON text, secrets already resolved.</param>
    /// <param name="options">Where the answer pieces and token counts are.</param>
    public TemplateApi(string template, LlmOptions options)
    {
        _parts = template.Split(Placeholder);
        _token = Subject(options.TokenPath);
        _output = Subject(options.OutputTokensPath);
        _input = Subject(options.InputTokensPath);
    }

    public override byte[] Body(string question, bool stream)
    {
        // The placeholder sits inside JSON strings: the question goes in escaped, without quotes.
        string escaped = JsonEncodedText.Encode(question, System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping).ToString();
        return Encoding.UTF8.GetBytes(string.Join(escaped, _parts));
    }

    protected override StreamPiece Read(string eventType, JsonElement data)
    {
        StreamPiece plain = QuestionApi.ReadJson(data);
        if (_token is null && _output is null && _input is null)
        {
            return plain;
        }

        var input = new CheckInput(200, 0, 0, data.GetRawText());
        return plain with
        {
            Text = _token is null ? plain.Text : CheckEvaluator.Read(_token, input).Text,
            OutputTokens = _output is null ? plain.OutputTokens : Count(_output, input),
            InputTokens = _input is null ? plain.InputTokens : Count(_input, input),
        };
    }

    public override (int Input, int Output) UsageOf(JsonElement body)
    {
        (int input, int output) = base.UsageOf(body);
        var whole = new CheckInput(200, 0, 0, body.GetRawText());
        return (_input is null ? input : Count(_input, whole), _output is null ? output : Count(_output, whole));
    }

    private static int Count(CheckSubject subject, CheckInput input) =>
        CheckEvaluator.Read(subject, input).Number is { } n && n >= 0 && n <= int.MaxValue ? (int)n : -1;

    private static CheckSubject? Subject(string? path) => path is null ? null : CheckParser.Parse($"{path} exists").Subject;
}
