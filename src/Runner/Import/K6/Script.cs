using System.Text.Json.Nodes;
using Acornima.Ast;

namespace Probe.Runner.Import.K6;

/// <summary>
/// The top level of a k6 script (its init context): the imports of k6's modules, constants,
/// <c>export const options</c>, and the functions scenarios run.
/// </summary>
internal sealed class Script
{
    private readonly K6Report _report;
    private readonly HashSet<string> _metricTypes = new(StringComparer.Ordinal);
    private readonly HashSet<string> _metrics = new(StringComparer.Ordinal);
    private string? _http, _check, _sleep, _group, _randomIntBetween;

    public Script(K6Report report)
    {
        _report = report;
        Values = new K6Values(report, new Dictionary<string, JsValue>(StringComparer.Ordinal));
    }

    /// <summary>The constants declared at the top.</summary>
    public K6Values Values { get; }

    public K6Imports Imports => new(_http, _check, _sleep, _group, _randomIntBetween, _metrics);

    /// <summary>Functions by name; the default function as <c>default</c>.</summary>
    public Dictionary<string, IFunction> Functions { get; } = new(StringComparer.Ordinal);

    public JsonObject? Options { get; private set; }

    /// <summary>Where the options are written (their object literal when they are one).</summary>
    public Node? OptionsNode { get; private set; }

    public void Read(Statement statement)
    {
        switch (statement)
        {
            case ImportDeclaration import:
                Import(import);
                break;
            case VariableDeclaration declaration:
                Declare(declaration, exported: false);
                break;
            case ExportNamedDeclaration { Declaration: VariableDeclaration declaration }:
                Declare(declaration, exported: true);
                break;
            case ExportNamedDeclaration { Declaration: FunctionDeclaration { Id: { } id } function }:
                Function(id.Name, function, statement);
                break;
            case FunctionDeclaration { Id: { } id } function:
                Function(id.Name, function, statement);
                break;
            case ExportDefaultDeclaration { Declaration: IFunction function }:
                Functions["default"] = function;
                break;
            case EmptyStatement:
                break;
            default:
                _report.Cannot(statement, "top-level code other than imports, constants, options and functions is not converted");
                break;
        }
    }

    private void Import(ImportDeclaration import)
    {
        string module = import.Source.Value;
        foreach (ImportDeclarationSpecifier specifier in import.Specifiers)
        {
            string local = specifier.Local.Name;
            string? imported = specifier switch
            {
                ImportDefaultSpecifier => "default",
                ImportSpecifier { Imported: Identifier i } => i.Name,
                ImportSpecifier { Imported: StringLiteral s } => s.Value,
                _ => null,
            };
            switch (module, imported)
            {
                case ("k6/http", "default"):
                    _http = local;
                    break;
                case ("k6", "check"):
                    _check = local;
                    break;
                case ("k6", "sleep"):
                    _sleep = local;
                    break;
                case ("k6", "group"):
                    _group = local;
                    break;
                case ("k6/metrics", "Trend" or "Counter" or "Rate" or "Gauge"):
                    // Custom metrics are not measured, but declaring one and adding to it changes no request: both are left out.
                    _metricTypes.Add(local);
                    _report.Note(specifier, $"'{local}' from 'k6/metrics' is not converted (Probe measures no custom metrics): declarations of one and their add() calls are left out, and a threshold on one is refused");
                    break;
                case (_, "randomIntBetween") when module.Contains("jslib.k6.io/k6-utils", StringComparison.Ordinal):
                    _randomIntBetween = local;
                    break;
                default:
                    // Unused imports are harmless; a use of one is reported where it is made.
                    _report.Note(specifier, $"'{local}' from '{module}' is not converted (any use of it is listed)");
                    break;
            }
        }
    }

    private void Declare(VariableDeclaration declaration, bool exported)
    {
        foreach (VariableDeclarator d in declaration.Declarations)
        {
            if (d.Id is not Identifier id)
            {
                _report.Cannot(d, "destructuring is not converted; declare one name per value");
                continue;
            }

            if (d.Init is IFunction function)
            {
                Function(id.Name, function, d);
                continue;
            }

            if (d.Init is NewExpression { Callee: Identifier type } && _metricTypes.Contains(type.Name))
            {
                _metrics.Add(id.Name);
                Values.Scope[id.Name] = new JsUnknown();
                continue;
            }

            JsValue? value = d.Init is null ? new JsData(null) : Values.Evaluate(d.Init);
            Values.Scope[id.Name] = value ?? new JsUnknown();
            if (exported && id.Name == "options")
            {
                OptionsNode = (Node?)(d.Init as ObjectExpression) ?? d;
                if (value is JsData { Node: JsonObject options })
                {
                    Options = options;
                }
                else if (value is not null)
                {
                    _report.Cannot(d, "expected options as an object");
                }
            }
        }
    }

    private void Function(string name, IFunction function, Node at)
    {
        switch (name)
        {
            case "setup" or "teardown":
                _report.Cannot(at, $"{name}() has no counterpart: a suite has no code run once before or after the load");
                break;
            case "handleSummary":
                _report.Note(at, "handleSummary() is left out: every run writes summary.json, report.html, report.md, junit.xml, stats.csv and more (--format)");
                break;
            default:
                Functions[name] = function;
                break;
        }
    }
}
