using Probe.Engine.Results;
using Probe.Scenarios.Checks;
using Probe.Scenarios.Suite;

namespace Probe.Scenarios.Steps.Postgres;

/// <summary>The <c>postgres</c> step: connect, run a query, read every row.</summary>
internal sealed class PostgresStepKind : StepKind
{
    public static readonly PostgresStepKind Instance = new();

    public override string Name => "postgres";

    public override IReadOnlyList<string> Fields { get; } = ["connection", "query", "rows"];

    public override IReadOnlySet<SubjectKind> Subjects { get; } = new HashSet<SubjectKind> { SubjectKind.Latency, SubjectKind.Size };

    protected override string SubjectsText => "latency and size (the number of rows)";

    public override string Schema => """
        {
          "type": "object",
          "additionalProperties": false,
          "required": [
            "connection"
          ],
          "properties": {
            "connection": {
              "type": "string",
              "description": "An Npgsql connection string: Host=…;Port=5432;Username=…;Password=${env:PG_PASSWORD};Database=…"
            },
            "query": {
              "type": "string",
              "description": "Default SELECT 1."
            },
            "rows": {
              "type": "integer",
              "minimum": 0,
              "description": "The number of rows the query must return."
            }
          },
          "description": "Database connectivity: connect (pooled), run the query, read every row. Checks see size as the row count."
        }
        """;

    public override StepSpec? Read(StepHeader header, SuiteNode pg, SuiteContext suite)
    {
        if (!pg.IsObjectWith("a postgres step", [.. Fields]))
        {
            return null;
        }

        string? connection = pg.String("connection", required: true, example: "\"Host=127.0.0.1;Username=probe;Password=${env:PG_PASSWORD};Database=app\"");
        if (connection is not null)
        {
            string resolved = Secrets.Check(connection, pg.Child("connection"));
            try
            {
                _ = new Npgsql.NpgsqlConnectionStringBuilder(resolved);
            }
            catch (ArgumentException e)
            {
                pg.Child("connection").Error($"not a PostgreSQL connection string ({e.Message}); write it as Host=…;Port=5432;Username=…;Database=…");
            }
        }

        CheckSubjects(header, pg);
        return connection is null ? null : new PostgresStepSpec(header.Name, header.Checks, header.Timeout, header.Retry, connection, pg.String("query") ?? "SELECT 1", pg.Integer("rows", 0, long.MaxValue));
    }

    public override Func<StepScope, ValueTask<StepResult>> Bind(StepSpec spec, StepBinding binding)
    {
        var step = new PostgresStep((PostgresStepSpec)spec, binding.Options.Time, binding.Checks(spec));
        binding.Owned.Add(step);
        return scope => step.RunAsync(scope.Context.Cancellation);
    }
}
