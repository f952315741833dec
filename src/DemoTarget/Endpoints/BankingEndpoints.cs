using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Probe.DemoTarget.Endpoints;

/// <summary>
/// The banking seed's four operations on two demo accounts: balance, transactions, transfer between
/// them (and fetching a transfer by id), and bill pay (scheduled, not debited, so that load tests do not drain the accounts).
/// </summary>
internal static class BankingEndpoints
{
    private static readonly string[] Payees = ["electricity", "water", "internet", "phone"];

    public static void Map(IEndpointRouteBuilder app)
    {
        var accounts = new Dictionary<string, decimal>(StringComparer.Ordinal) { ["chk-001"] = 1250.00m, ["sav-001"] = 5000.00m };
        var gate = new Lock();
        var transfers = new Dictionary<string, object>(StringComparer.Ordinal);
        long nextId = 1000;

        app.MapGet("/api/accounts/{id}/balance", (string id) =>
        {
            lock (gate)
            {
                return accounts.TryGetValue(id, out decimal balance)
                    ? Results.Json(new { account = id, balance, currency = "USD" })
                    : NotFound(id);
            }
        });

        app.MapGet("/api/accounts/{id}/transactions", (string id, int? limit) =>
        {
            if (!accounts.ContainsKey(id))
            {
                return NotFound(id);
            }

            var transactions = Enumerable.Range(1, Math.Clamp(limit ?? 5, 1, 50))
                .Select(i => new { id = $"tx-{id}-{i}", amount = -(10m + i), description = $"Card payment {i}", date = $"2026-11-{(i % 28) + 1:00}" })
                .ToArray();
            return Results.Json(new { account = id, transactions });
        });

        app.MapPost("/api/transfers", (TransferRequest t) =>
        {
            if (t.Amount is not > 0 || t.From is null || t.To is null || t.From == t.To)
            {
                return Results.Json(new { error = "a transfer needs two different accounts and an amount above 0" }, statusCode: StatusCodes.Status422UnprocessableEntity);
            }

            lock (gate)
            {
                if (!accounts.TryGetValue(t.From, out decimal from) || !accounts.ContainsKey(t.To))
                {
                    return NotFound(accounts.ContainsKey(t.From) ? t.To : t.From);
                }

                if (from < t.Amount)
                {
                    return Results.Json(new { error = "insufficient funds", balance = from }, statusCode: StatusCodes.Status422UnprocessableEntity);
                }

                accounts[t.From] -= t.Amount.Value;
                accounts[t.To] += t.Amount.Value;
                string id = $"tr-{Interlocked.Increment(ref nextId)}";
                var transfer = new { transfer_id = id, status = "completed", from = t.From, to = t.To, amount = t.Amount };
                transfers[id] = transfer;
                return Results.Json(transfer, statusCode: StatusCodes.Status201Created);
            }
        });

        app.MapGet("/api/transfers/{id}", (string id) =>
        {
            lock (gate)
            {
                return transfers.TryGetValue(id, out object? transfer)
                    ? Results.Json(transfer)
                    : Results.Json(new { error = $"no transfer '{id}'" }, statusCode: StatusCodes.Status404NotFound);
            }
        });

        app.MapPost("/api/bills/pay", (BillRequest b) =>
        {
            if (b.Amount is not > 0 || b.Payee is null || !Payees.Contains(b.Payee))
            {
                return Results.Json(new { error = $"a bill needs an amount above 0 and a payee: {string.Join(", ", Payees)}" }, statusCode: StatusCodes.Status422UnprocessableEntity);
            }

            return b.Account is not null && accounts.ContainsKey(b.Account)
                ? Results.Json(new { payment_id = $"bp-{Interlocked.Increment(ref nextId)}", status = "scheduled", payee = b.Payee, amount = b.Amount }, statusCode: StatusCodes.Status201Created)
                : NotFound(b.Account ?? "(none)");
        });
    }

    private static IResult NotFound(string id) => Results.Json(new { error = $"no account '{id}'" }, statusCode: StatusCodes.Status404NotFound);

    internal sealed record TransferRequest(string? From, string? To, decimal? Amount);

    internal sealed record BillRequest(string? Account, string? Payee, decimal? Amount);
}
