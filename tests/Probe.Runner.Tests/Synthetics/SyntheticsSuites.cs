namespace Probe.Runner.Tests.Synthetics;

/// <summary>Suite files for runner tests: the built-in demo target on a free loopback port, checks every second.</summary>
internal static class SyntheticsSuites
{
    public static string Write(string folder, int port, string regions = "[\"local\"]", string every = "1s", string extraScenario = "")
    {
        string path = Path.Combine(folder, "synthetics.json");
        File.WriteAllText(path, $$"""
        {
          "version": 1,
          "suite": "synth",
          "targets": { "demo": { "url": "http://127.0.0.1:{{port}}", "demo": true } },
          "regions": {{regions}},
          "scenarios": {
            "health": {
              "target": "demo",
              "steps": [ { "name": "api-health", "http": { "path": "/health" }, "checks": ["status == 200"] } ],
              "schedule": { "every": "{{every}}" }
            },
            "balance": {
              "target": "demo",
              "steps": [ { "name": "balance", "http": { "path": "/api/accounts/chk-001/balance" }, "checks": ["status == 200", "body.currency == \"USD\""] } ],
              "schedule": { "every": "{{every}}" }
            }{{extraScenario}}
          },
          "slos": {
            "availability": { "kind": "availability", "objective": "99%", "window": "1d", "scenarios": ["health", "balance"] }
          }
        }
        """);
        return path;
    }
}
