using Probe.Engine.Results;
using Probe.Scenarios.Checks;
using Probe.Scenarios.Steps;
using Probe.Scenarios.Suite;

namespace Probe.Browser;

/// <summary>
/// The <c>browser</c> step: a scripted page journey (goto, click, fill, expect text, selector or URL)
/// in headless Chromium, with the page's timings and Web Vitals (TTFB, FCP, LCP, CLS), console errors
/// and failed requests as failures, and a screenshot of the page when it fails.
/// </summary>
internal sealed class BrowserStepKind : StepKind
{
    public static readonly BrowserStepKind Instance = new();

    private static readonly (string Field, BrowserActionKind Kind)[] Actions =
    [
        ("goto", BrowserActionKind.Goto), ("click", BrowserActionKind.Click), ("fill", BrowserActionKind.Fill),
        ("expect_text", BrowserActionKind.ExpectText), ("expect_selector", BrowserActionKind.ExpectSelector), ("expect_url", BrowserActionKind.ExpectUrl),
    ];

    public override string Name => "browser";

    public override IReadOnlyList<string> Fields { get; } = ["target", "actions"];

    public override IReadOnlySet<SubjectKind> Subjects { get; } = new HashSet<SubjectKind> { SubjectKind.Status, SubjectKind.Latency, SubjectKind.Body };

    protected override string SubjectsText => "status (the main document's), latency (the whole journey) and body (the page's visible text)";

    public override string Schema => """
        {
          "type": "object",
          "additionalProperties": false,
          "required": [
            "actions"
          ],
          "properties": {
            "target": {
              "type": "string"
            },
            "actions": {
              "type": "array",
              "minItems": 1,
              "items": {
                "type": "object",
                "additionalProperties": false,
                "properties": {
                  "goto": {
                    "type": "string",
                    "description": "A path of the target, such as /app, or an absolute URL; waits for the load event."
                  },
                  "click": {
                    "type": "string",
                    "description": "A selector (CSS, text=…, role=…), such as #go or text=Sign in."
                  },
                  "fill": {
                    "type": "string",
                    "description": "The selector of a field to type 'value' into."
                  },
                  "value": {
                    "type": "string",
                    "description": "What a fill types; secrets by reference (${env:NAME})."
                  },
                  "expect_text": {
                    "type": "string",
                    "description": "Text the page must show."
                  },
                  "expect_selector": {
                    "type": "string",
                    "description": "A selector that must find a visible element."
                  },
                  "expect_url": {
                    "type": "string",
                    "description": "Text the page's URL must contain."
                  }
                }
              },
              "description": "The journey, in order: each item one of goto, click, fill (with value), expect_text, expect_selector, expect_url."
            }
          },
          "description": "A page journey in headless Chromium (Playwright): TTFB, FCP, LCP and CLS per step, console errors and failed requests as failures, a screenshot on failure."
        }
        """;

    public static string ActionName(BrowserActionKind kind) => Actions.First(a => a.Kind == kind).Field;

    public override StepSpec? Read(StepHeader header, SuiteNode browser, SuiteContext suite)
    {
        if (!browser.IsObjectWith("a browser step", [.. Fields]))
        {
            return null;
        }

        string? target = Target(browser, suite);
        CheckSubjects(header, browser);
        var actions = new List<BrowserAction>();
        if (browser.Field("actions") is not { } list)
        {
            browser.Error("'actions' is required: the journey, such as [ { \"goto\": \"/app\" }, { \"click\": \"#go\" }, { \"expect_text\": \"Welcome\" } ]");
            return null;
        }

        foreach (SuiteNode item in list.Items("actions"))
        {
            if (Action(item) is { } action)
            {
                actions.Add(action);
            }
        }

        if (actions.Count == 0 && list.Kind == System.Text.Json.JsonValueKind.Array && list.Element.GetArrayLength() == 0)
        {
            list.Error("the journey has no actions; start with { \"goto\": \"/\" }");
        }

        return new BrowserStepSpec(header.Name, header.Checks, header.Timeout, header.Retry, target, actions);
    }

    private static BrowserAction? Action(SuiteNode item)
    {
        if (!item.IsObjectWith("a browser action", [.. Actions.Select(a => a.Field), "value"]))
        {
            return null;
        }

        var named = Actions.Where(a => item.Has(a.Field)).ToArray();
        if (named.Length != 1)
        {
            item.Error($"a browser action has exactly one of {string.Join(", ", Actions.Select(a => a.Field))}; found {(named.Length == 0 ? "none" : string.Join(" and ", named.Select(a => a.Field)))}");
            return null;
        }

        (string field, BrowserActionKind kind) = named[0];
        string? argument = item.String(field);
        string? value = item.String("value");
        if (argument is null)
        {
            return null;
        }

        if (argument.Length == 0)
        {
            item.Child(field).Error($"{field} is empty");
            return null;
        }

        if (kind == BrowserActionKind.Fill && value is null)
        {
            item.Error("a fill needs the 'value' to type, such as { \"fill\": \"#name\", \"value\": \"alice\" }");
            return null;
        }

        if (kind != BrowserActionKind.Fill && value is not null)
        {
            item.Child("value").Error($"'value' belongs to a fill; a {field} takes none");
            return null;
        }

        if (value is not null)
        {
            _ = Secrets.Check(value, item.Child("value"));
        }

        return new BrowserAction(kind, argument, value);
    }

    public override Func<StepScope, ValueTask<StepResult>> Bind(StepSpec spec, StepBinding binding)
    {
        var browser = (BrowserStepSpec)spec;
        TargetSpec target = binding.Suite.Targets[browser.Target ?? binding.Scenario.Target];
        var step = new BrowserStep(browser, target, binding.Scenario.Name, binding.Prefix + browser.Name, binding.Options, binding.Checks(browser));
        return scope => step.RunAsync(scope.Context.Cancellation);
    }
}
