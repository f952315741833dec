using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Probe.DemoTarget.Endpoints;

/// <summary>
/// The banking seed's web front end, small enough to read: <c>GET /app</c> is a sign-in form; signing in
/// fetches the balance from <c>/api/accounts/chk-001/balance</c> and shows it (or, when the API fails, an
/// error on the page and in the console) — for browser steps to walk through. No external assets.
/// </summary>
internal static class WebAppEndpoints
{
    private const string Page = """
        <!DOCTYPE html>
        <html lang="en"><head><meta charset="utf-8"><title>Demo Bank</title>
        <style>body{font:16px system-ui,sans-serif;margin:40px}#account{display:none}.error{color:#b42318}</style></head>
        <body>
        <h1>Demo Bank</h1>
        <form id="signin">
          <label>Name <input id="name" name="name" autocomplete="off"></label>
          <button id="go" type="submit">Sign in</button>
        </form>
        <section id="account"><p id="welcome"></p><p>Balance: <span id="balance"></span></p></section>
        <p id="problem" class="error"></p>
        <script>
        document.getElementById('signin').addEventListener('submit', async e => {
          e.preventDefault();
          const name = document.getElementById('name').value || 'guest';
          try {
            const answer = await fetch('/api/accounts/chk-001/balance');
            if (!answer.ok) throw new Error('the balance service answered ' + answer.status);
            const account = await answer.json();
            document.getElementById('welcome').textContent = 'Welcome, ' + name;
            document.getElementById('balance').textContent = account.balance.toFixed(2) + ' ' + account.currency;
            document.getElementById('account').style.display = 'block';
            document.getElementById('signin').style.display = 'none';
            history.pushState({}, '', '/app/account');
          } catch (problem) {
            document.getElementById('problem').textContent = 'Something went wrong: ' + problem.message;
            console.error('balance failed: ' + problem.message);
          }
        });
        </script>
        </body></html>
        """;

    public static void Map(IEndpointRouteBuilder app)
    {
        app.MapGet("/app", () => Results.Content(Page, "text/html; charset=utf-8"));
        app.MapGet("/app/account", () => Results.Content(Page, "text/html; charset=utf-8"));
    }
}
