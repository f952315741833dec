using System.Text.Json;
using System.Text.Json.Nodes;
using Probe.DemoTarget;
using Probe.TestUtils;
using Probe.Runner.Import.K6;
using Probe.Scenarios.Suite;

namespace Probe.Runner.Tests.Import;

[Collection(RealTimeCollection.Name)]
public class K6ImportTests
{
    private static string Example(string name) => Path.Combine(Repository.Root, "examples", "k6", name);

    [Fact]
    public void Import_ScenariosExample_ConvertsExecutorsThresholdsGroupsChecksAndThinkTime()
    {
        K6Import import = K6Importer.Convert(File.ReadAllText(Example("scenarios.js")), "scenarios.js");

        Assert.Empty(import.Unconvertible);
        JsonNode suite = JsonNode.Parse(import.Suite!)!;
        Assert.Equal("http://127.0.0.1:5080", (string?)suite["targets"]!["api"]!["url"]); // __ENV.BASE_URL || '…'
        JsonNode browse = suite["scenarios"]!["browse"]!;
        JsonNode search = suite["scenarios"]!["search"]!;
        Assert.Equal("""{"keep_constant":{"copies":2,"during":"4s"}}""", browse["load"]!.ToJsonString());
        Assert.Equal("""[{"pause":"1s"},{"inject":{"rate":"20/s","during":"4s"}}]""", search["load"]!.ToJsonString());
        Assert.Equal(20, (int)search["max_in_flight"]!);

        // group → sequence; sleep inside it → think on its request; sleep after it → think on the group.
        JsonNode visit = browse["steps"]![0]!;
        Assert.Equal(("visit", "1s"), ((string?)visit["name"], (string?)visit["think"]));
        JsonNode health = visit["sequence"]!["steps"]![0]!;
        Assert.Equal(["status == 200", "body.status == \"healthy\""], health["checks"]!.AsArray().Select(c => (string?)c));
        Assert.Equal("500ms", (string?)health["think"]);

        JsonNode knowledge = search["steps"]![0]!;
        Assert.Equal("knowledge", (string?)knowledge["name"]); // tags.name
        Assert.Equal("""{"method":"POST","path":"/api/knowledge/search","headers":{"Content-Type":"application/json","X-Client":"k6-import"},"json":{"query":"haircut prices","shopId":1,"limit":3}}""", Json(knowledge["http"]));
        Assert.Equal("""["status in (200, 201)","body.results.length > 0","latency < 500ms"]""", Json(knowledge["checks"]));
        Assert.Equal("10s", (string?)knowledge["timeout"]);

        // Untagged thresholds on every scenario; {name:…} where the step is; {scenario:search} only there.
        Assert.Equal(["http_req_failed", "http_req_duration"], browse["thresholds"]!.AsObject().Select(t => t.Key));
        Assert.Equal(["http_req_failed", "http_req_duration", "http_req_duration{name:knowledge}", "checks"], search["thresholds"]!.AsObject().Select(t => t.Key));
        Assert.Contains(import.Notes, n => n.Contains("scenarios.js:6:18: __ENV.BASE_URL falls back to 'http://127.0.0.1:5080'", StringComparison.Ordinal));
    }

    [Fact]
    public void Import_ChecksInK6sForms_BecomeProbeChecks()
    {
        K6Import import = Convert("""
            const res = http.get('http://127.0.0.1:9/items?page=2');
            check(res, {
              'a': (r) => r.status >= 200 && r.status < 300,
              'b': (r) => 500 > r.timings.duration,
              'c': (r) => r.body.includes('ok'),
              'd': (r) => r.body.indexOf('error') === -1,
              'e': (r) => r.json('items.0.id') !== undefined,
              'f': (r) => JSON.parse(r.body).items.length >= 1,
              'g': (r) => r.headers['Content-Type'] === 'application/json',
              'h': (r) => r.body.length > 10,
              'i': function (r) { return r.json().total === 3; },
              'j': (r) => !r.body.includes('fail'),
              'k': (r) => r.json('items.#') == 3,
            });
            """);

        Assert.Empty(import.Unconvertible);
        JsonNode step = Step(import);
        Assert.Equal("get-items", (string?)step["name"]);
        Assert.Equal("/items?page=2", (string?)step["http"]!["path"]);
        Assert.Equal(
            ["status >= 200", "status < 300", "latency < 500ms", "body contains \"ok\"", "body !contains \"error\"", "body.items[0].id exists",
             "body.items.length >= 1", "header.content-type == \"application/json\"", "size > 10", "body.total == 3", "body !contains \"fail\"", "body.items.length == 3"],
            step["checks"]!.AsArray().Select(c => (string?)c));
    }

    [Fact]
    public void Import_RequestForms_BodiesParamsEnvAndHttpRequest()
    {
        K6Import import = Convert("""
            const token = __ENV.API_TOKEN;
            http.request('PUT', `${__ENV.BASE_URL}/v1/items/7`, 'raw text', { headers: { Authorization: `Bearer ${token}` }, redirects: 0 });
            http.post(__ENV.BASE_URL + '/login', { user: 'ana', pass: 'a b' });
            http.del(__ENV.BASE_URL + '/v1/items/7', null, { timeout: 2500 });
            sleep(0.25);
            """);

        Assert.Empty(import.Unconvertible);
        JsonNode suite = JsonNode.Parse(import.Suite!)!;
        Assert.Equal(K6Targets.Placeholder, (string?)suite["targets"]!["base_url"]!["url"]);
        JsonArray steps = suite["scenarios"]!["default"]!["steps"]!.AsArray();
        Assert.Equal("""{"method":"PUT","path":"/v1/items/7","headers":{"Authorization":"Bearer ${env:API_TOKEN}"},"redirects":false,"body":"raw text"}""", Json(steps[0]!["http"]));
        Assert.Equal("""{"method":"POST","path":"/login","headers":{"Content-Type":"application/x-www-form-urlencoded"},"body":"user=ana&pass=a%20b"}""", Json(steps[1]!["http"]));
        Assert.Equal(("delete-7", "2500ms", "250ms"), ((string?)steps[2]!["name"], (string?)steps[2]!["timeout"], (string?)steps[2]!["think"]));
        Assert.Contains(import.Notes, n => n.Contains("--target base_url=URL or PROBE_TARGET_BASE_URL", StringComparison.Ordinal));
    }

    [Fact]
    public void Import_ANonTextNameTagAndAFractionalTimeout_KeepTheDefaultNameAndInvariantNumbers()
    {
        K6Import import = Convert("http.get('http://127.0.0.1:9/items', { tags: { name: 5 }, timeout: 1500.5 });");

        JsonNode step = Step(import);
        Assert.Equal(("get-items", "1500.5ms"), ((string?)step["name"], (string?)step["timeout"]));
    }

    [Theory]
    [InlineData("""{ vus: 5, duration: '30s' }""", """{"keep_constant":{"copies":5,"during":"30s"}}""")]
    [InlineData("""{ vus: 4, iterations: 40 }""", """{"iterations_for_constant":{"copies":4,"iterations":40}}""")]
    [InlineData("""{ stages: [{ duration: '1m', target: 20 }] }""", """{"stages":[{"duration":"1m","target":20}]}""")]
    [InlineData("""{ scenarios: { s: { executor: 'per-vu-iterations', vus: 3, iterations: 10 } } }""", """{"iterations_for_constant":{"copies":3,"iterations":30}}""")]
    [InlineData("""{ scenarios: { s: { executor: 'shared-iterations', vus: 3, iterations: 10 } } }""", """{"iterations_for_constant":{"copies":3,"iterations":10}}""")]
    [InlineData("""{ scenarios: { s: { executor: 'ramping-vus', stages: [{ duration: '10s', target: 5 }] } } }""", """{"stages":[{"duration":"10s","target":5}]}""")]
    [InlineData("""{ scenarios: { s: { executor: 'ramping-arrival-rate', timeUnit: '1m', stages: [{ duration: '10s', target: 600 }, { duration: '5s', target: 0 }] } } }""",
        """[{"ramping_inject":{"rate":"600/m","during":"10s"}},{"ramping_inject":{"rate":"0/m","during":"5s"}}]""")]
    [InlineData("""{ scenarios: { s: { executor: 'constant-arrival-rate', rate: 10, timeUnit: '2s', duration: '1m' } } }""", """{"inject":{"rate":"10/2s","during":"1m"}}""")]
    public void Import_Options_BecomeTheLoadK6Runs(string options, string load)
    {
        K6Import import = Convert("http.get('http://127.0.0.1:9/health');", $"export const options = {options};");

        Assert.Empty(import.Unconvertible);
        JsonNode scenario = JsonNode.Parse(import.Suite!)!["scenarios"]!.AsObject().Single().Value!;
        Assert.Equal(load, scenario["load"]!.ToJsonString());
    }

    [Fact]
    public void Import_UnconvertibleConstructs_AreEachListedWithLineAndColumnAndNothingIsMade()
    {
        K6Import import = Convert("""
            const res = http.get('http://127.0.0.1:9/a');
            if (res.status !== 200) { fail('down'); }
            for (let i = 0; i < 3; i++) { http.get('http://127.0.0.1:9/b'); }
            http.batch([['GET', 'http://127.0.0.1:9/c']]);
            sleep(Math.random() * Math.random());
            const id = res.json('id');
            check(res, { 'odd': (r) => r.status % 2 === 0 });
            """,
            """
            import { Trend } from 'k6/metrics';
            export const options = { thresholds: { my_trend: ['p(95)<200'] } };
            export function setup() { return {}; }
            """);

        Assert.Null(import.Suite);
        Assert.Equal(
            [
                "script.js:4:40: my_trend: ['p(95)<200']: metric 'my_trend' is not one Probe measures (custom metrics are not converted); Probe reads http_req_duration, http_req_failed, http_reqs, iteration_duration, iterations, checks",
                "script.js:5:1: export function setup() { return {}; }: setup() has no counterpart: a suite has no code run once before or after the load",
                "script.js:8:3: if (res.status !== 200) { fail('down'); }: a suite step runs the same requests every iteration: branches, loops and other statements are not converted",
                "script.js:9:3: for (let i = 0; i < 3; i++) { http.get('http://127.0.0.1:…: a suite step runs the same requests every iteration: branches, loops and other statements are not converted",
                "script.js:10:3: http.batch([['GET', 'http://127.0.0.1:9/c']]): http.batch, http.file and the like are not converted; write each request as its own call",
                "script.js:11:25: Math.random(): the import computes only constants here: literals, objects, template strings, + and __ENV",
                "script.js:13:30: r.status % 2 === 0: Probe checks compare the status, latency (r.timings.duration), size, body or a header with a constant; || only as one subject equal to one of several values",
            ],
            import.Unconvertible);
    }

    [Theory]
    [InlineData("noVUConnectionReuse: true", true, false)]
    [InlineData("noConnectionReuse: true", true, true)]
    [InlineData("noConnectionReuse: false, noVUConnectionReuse: false", false, false)]
    public void Import_ConnectionReuseSwitchedOff_OpensANewConnectionPerIterationOnEveryTarget(string switches, bool perIteration, bool noted)
    {
        K6Import import = Convert("http.get('http://127.0.0.1:9/a');\nhttp.get('https://127.0.0.1:8/b');", $"export const options = {{ {switches} }};");

        JsonNode targets = JsonNode.Parse(import.Suite ?? string.Join("\n", import.Unconvertible))!["targets"]!;
        Assert.All(targets.AsObject(), t => Assert.Equal(perIteration, (bool?)t.Value!["new_connection_per_iteration"] ?? false));
        Assert.Equal(2, targets.AsObject().Count);
        Assert.Equal(noted, import.Notes.Any(n => n.Contains("opens a new connection for every request", StringComparison.Ordinal)));
    }

    [Theory]
    [InlineData("sleep(Math.random() * 2 + 1);", "1s..3s")]
    [InlineData("sleep(0.5 + Math.random());", "500ms..1500ms")]
    [InlineData("sleep((Math.random() * 4));", "0s..4s")]
    [InlineData("sleep(3 * Math.random() + PAUSE);", "2s..5s")]
    [InlineData("sleep(1);\nsleep(Math.random() * 2);", "1s..3s")]
    [InlineData("sleep(randomIntBetween(2, 5));", "2s..5s")]
    public void Import_RandomSleep_IsAThinkRange(string sleeps, string think)
    {
        K6Import import = Convert($"http.get('http://127.0.0.1:9/a');\n{sleeps}", "import { randomIntBetween } from 'https://jslib.k6.io/k6-utils/1.4.0/index.js';\nconst PAUSE = 2;");

        Assert.Equal(think, (string?)Step(import)["think"]);
        Assert.Equal(sleeps.Contains("randomIntBetween", StringComparison.Ordinal), import.Notes.Any(n => n.Contains("draws whole seconds", StringComparison.Ordinal)));
    }

    [Fact]
    public void Import_CustomMetrics_AreLeftOutWithANoteUnlessAThresholdNamesOne()
    {
        K6Import import = Convert(
            "const res = http.get('http://127.0.0.1:9/a');\nlogins.add(res.timings.duration);\nfailures.add(1);",
            "import { Trend, Counter as Count } from 'k6/metrics';\nconst logins = new Trend('login_time');\nconst failures = new Count('failures');");

        Assert.Empty(import.Unconvertible);
        Assert.Equal("get-a", (string?)Step(import)["name"]);
        Assert.Equal(2, import.Notes.Count(n => n.Contains("is left out: custom metrics are not converted", StringComparison.Ordinal)));
        Assert.Contains(import.Notes, n => n.StartsWith("script.js:3:17: 'Count' from 'k6/metrics' is not converted", StringComparison.Ordinal));
    }

    [Fact]
    public void Import_AValueReadFromAResponse_IsExtractedAndTheRequestsBecomeOneSequence()
    {
        K6Import import = Convert("""
            const res = http.post('http://127.0.0.1:9/api/transfers', JSON.stringify({ amount: 1 }), { headers: { 'Content-Type': 'application/json' } });
            const id = res.json('transfer.id');
            const etag = res.headers['Etag'];
            http.get(`http://127.0.0.1:9/api/transfers/${id}`, { tags: { name: 'fetch' } });
            http.put('http://127.0.0.1:9/api/transfers/' + id, JSON.stringify({ id: id, note: 'x' }), { headers: { 'If-Match': etag } });
            """);

        JsonNode flow = Step(import);
        Assert.Equal("flow", (string?)flow["name"]);
        JsonArray inner = flow["sequence"]!["steps"]!.AsArray();
        Assert.Equal("""{"id":"body.transfer.id","etag":"header.etag"}""", Json(inner[0]!["extract"]));
        Assert.Equal("/api/transfers/${vars.id}", (string?)inner[1]!["http"]!["path"]);
        Assert.Equal(("/api/transfers/${vars.id}", "${vars.etag}"), ((string?)inner[2]!["http"]!["path"], (string?)inner[2]!["http"]!["headers"]!["If-Match"]));
        Assert.Equal("""{"id":"${vars.id}","note":"x"}""", Json(inner[2]!["http"]!["json"]));
        Assert.Contains(import.Notes, n => n.Contains("one sequence step, 'flow'", StringComparison.Ordinal));
    }

    [Fact]
    public void Import_AValueUsedOutsideTheGroupThatReadIt_IsRefused()
    {
        K6Import import = Convert("""
            let id;
            group('create', () => { const res = http.post('http://127.0.0.1:9/a', 'x'); id = res.json('id'); });
            http.get(`http://127.0.0.1:9/a/${id}`);
            """);

        Assert.Null(import.Suite);
        Assert.Contains("is passed on only within it", Assert.Single(import.Unconvertible), StringComparison.Ordinal);
    }

    [Fact]
    public void Import_VuAndIter_AreCopyAndIterationWithANote()
    {
        K6Import import = Convert("http.get(`http://127.0.0.1:9/users/${__VU}/items/${__ITER}`, { headers: { 'X-Client-Id': 'vu-' + __VU } });");

        JsonNode http = Step(import)["http"]!;
        Assert.Equal(("/users/${copy}/items/${iteration}", "vu-${copy}"), ((string?)http["path"], (string?)http["headers"]!["X-Client-Id"]));
        Assert.Equal(2, import.Notes.Count(n => n.Contains("__VU is ${copy}", StringComparison.Ordinal)));
        Assert.Single(import.Notes, n => n.Contains("__ITER is ${iteration}", StringComparison.Ordinal));
    }

    [Fact]
    public void Import_SyntaxError_SaysWhere()
    {
        K6Import import = K6Importer.Convert("export default function () {\n  http.get('x'\n}\n", "broken.js");

        Assert.Null(import.Suite);
        Assert.StartsWith("broken.js:3:1: syntax error: ", Assert.Single(import.Unconvertible), StringComparison.Ordinal);
    }

    [Fact]
    public void Import_AConcatenationOfThousandsOfTerms_IsComputed()
    {
        // As generated scripts build long bodies: one nested call per term overflowed the stack.
        K6Import import = Convert($"http.post('http://127.0.0.1:9/', {string.Join(" + ", Enumerable.Range(0, 20_000).Select(i => $"'{i % 10}'"))});");

        Assert.Equal(string.Concat(Enumerable.Range(0, 20_000).Select(i => i % 10)), (string?)Step(import)["http"]!["body"]);
    }

    [Theory]
    [InlineData("http.get('http://127.0.0.1:9/' + ", "'x'", "(", ")")]
    [InlineData("", "http.get('http://127.0.0.1:9/');", "{", "}")]
    public void Import_NestingThatNoStackHolds_IsRefusedNamingTheFile(string before, string inner, string open, string close)
    {
        K6Import import = Convert(before + string.Concat(Enumerable.Repeat(open, 200_000)) + inner + string.Concat(Enumerable.Repeat(close, 200_000)) + (before.Length > 0 ? ");" : string.Empty));

        Assert.Null(import.Suite);
        Assert.StartsWith("script.js: the script nests expressions, arrays, objects or blocks inside each other deeper than the import follows", Assert.Single(import.Unconvertible), StringComparison.Ordinal);
    }

    [Fact]
    public void Import_EveryConvertedSuite_Validates()
    {
        foreach (string script in Directory.GetFiles(Path.Combine(Repository.Root, "examples", "k6"), "*.js"))
        {
            K6Import import = K6Importer.Convert(File.ReadAllText(script), script);
            Assert.True(import.Suite is not null, string.Join("\n", import.Unconvertible));
            _ = SuiteLoader.Parse(import.Suite, "imported.json");
        }
    }

    /// <summary>A script whose default function is <paramref name="body"/>, after k6's imports and <paramref name="top"/>.</summary>
    private static K6Import Convert(string body, string top = "") => K6Importer.Convert(
        $"import http from 'k6/http';\nimport {{ check, sleep, group }} from 'k6';\n{top}\nexport default function () {{\n{string.Join('\n', body.Split('\n').Select(l => "  " + l))}\n}}\n",
        "script.js");

    private static string Json(JsonNode? node) => node!.ToJsonString(new JsonSerializerOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping });

    private static JsonNode Step(K6Import import) =>
        JsonNode.Parse(import.Suite ?? throw new InvalidOperationException(string.Join("\n", import.Unconvertible)))!["scenarios"]!["default"]!["steps"]![0]!;
}
