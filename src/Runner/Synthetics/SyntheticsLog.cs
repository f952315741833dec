using System.Text;
using System.Text.Json;

namespace Probe.Runner.Synthetics;

/// <summary>
/// Structured logs: one JSON object per line — <c>ts</c>, <c>level</c>, <c>event</c> and the event's
/// fields — so a log shipper can index them. Results are logged at info (failures at warn) after they
/// are safe in the spool; <c>--log-level warn</c> keeps only failures and problems.
/// </summary>
internal sealed class SyntheticsLog
{
    private readonly TextWriter _out;
    private readonly TimeProvider _time;
    private readonly Lock _lock = new();

    public SyntheticsLog(TextWriter output, TimeProvider time, LogLevel minimum)
    {
        _out = output;
        _time = time;
        Minimum = minimum;
    }

    public enum LogLevel
    {
        Debug,
        Info,
        Warn,
        Error,
    }

    public LogLevel Minimum { get; }

    public void Info(string name, params (string Key, object? Value)[] fields) => Write(LogLevel.Info, name, fields);

    public void Warn(string name, params (string Key, object? Value)[] fields) => Write(LogLevel.Warn, name, fields);

    public void Error(string name, params (string Key, object? Value)[] fields) => Write(LogLevel.Error, name, fields);

    public void Write(LogLevel level, string name, (string Key, object? Value)[] fields)
    {
        if (level < Minimum)
        {
            return;
        }

        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteString("ts", _time.GetUtcNow().UtcDateTime);
            json.WriteString("level", level.ToString().ToLowerInvariant());
            json.WriteString("event", name);
            foreach ((string key, object? value) in fields)
            {
                json.WritePropertyName(key);
                switch (value)
                {
                    case null: json.WriteNullValue(); break;
                    case bool b: json.WriteBooleanValue(b); break;
                    case int i: json.WriteNumberValue(i); break;
                    case long l: json.WriteNumberValue(l); break;
                    case double d: json.WriteNumberValue(Math.Round(d, 3)); break;
                    case IEnumerable<string> list: JsonSerializer.Serialize(json, list); break;
                    default: json.WriteStringValue(value.ToString()); break;
                }
            }

            json.WriteEndObject();
        }

        string line = Encoding.UTF8.GetString(buffer.GetBuffer(), 0, (int)buffer.Length);
        lock (_lock)
        {
            _out.WriteLine(line);
            _out.Flush();
        }
    }
}
