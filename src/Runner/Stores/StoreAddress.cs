using Npgsql;

namespace Probe.Runner.Stores;

/// <summary>
/// Parses <c>--store</c>: <c>sqlite:PATH</c> (a file, created when missing) or a PostgreSQL URL
/// (<c>postgres://user:password@host:port/database</c>, also <c>postgresql://</c>) or an Npgsql
/// connection string prefixed <c>postgres:</c>.
/// </summary>
internal static class StoreAddress
{
    public const string Help = "sqlite:PATH or postgres://user:password@host:5432/database";

    /// <summary>Opens the store the address names (not yet connected).</summary>
    /// <exception cref="FormatException">The address is not one of the accepted forms; the message shows them.</exception>
    public static IResultStore Open(string address)
    {
        if (address.StartsWith("sqlite:", StringComparison.OrdinalIgnoreCase))
        {
            string path = address["sqlite:".Length..];
            if (path.Length == 0)
            {
                throw new FormatException($"'{address}' names no file; write {Help}");
            }

            return new SqliteResultStore(Path.GetFullPath(path));
        }

        if (address.StartsWith("postgres://", StringComparison.OrdinalIgnoreCase) || address.StartsWith("postgresql://", StringComparison.OrdinalIgnoreCase))
        {
            return new PostgresResultStore(FromUrl(address));
        }

        if (address.StartsWith("postgres:", StringComparison.OrdinalIgnoreCase))
        {
            try
            {
                return new PostgresResultStore(new NpgsqlConnectionStringBuilder(address["postgres:".Length..]).ConnectionString);
            }
            catch (ArgumentException e)
            {
                throw new FormatException($"'postgres:…' is not a valid connection string: {e.Message}", e);
            }
        }

        throw new FormatException($"unknown store '{Redact(address)}'; write {Help}");
    }

    /// <summary>Turns a postgres:// URL into an Npgsql connection string.</summary>
    public static string FromUrl(string url)
    {
        if (!Uri.TryCreate(url, UriKind.Absolute, out Uri? uri) || uri.Host.Length == 0)
        {
            throw new FormatException($"'{Redact(url)}' is not a valid URL; write {Help}");
        }

        var builder = new NpgsqlConnectionStringBuilder
        {
            Host = uri.Host,
            Port = uri.IsDefaultPort || uri.Port < 0 ? 5432 : uri.Port,
            Database = uri.AbsolutePath.Trim('/') is { Length: > 0 } db ? Uri.UnescapeDataString(db) : "postgres",
        };
        string[] user = uri.UserInfo.Split(':', 2);
        if (user[0].Length > 0)
        {
            builder.Username = Uri.UnescapeDataString(user[0]);
        }

        if (user.Length == 2)
        {
            builder.Password = Uri.UnescapeDataString(user[1]);
        }

        foreach (string pair in uri.Query.TrimStart('?').Split('&', StringSplitOptions.RemoveEmptyEntries))
        {
            string[] kv = pair.Split('=', 2);
            builder[Uri.UnescapeDataString(kv[0])] = kv.Length == 2 ? Uri.UnescapeDataString(kv[1]) : string.Empty;
        }

        return builder.ConnectionString;
    }

    /// <summary>The address with any password replaced, safe to print.</summary>
    public static string Redact(string address)
    {
        int at = address.IndexOf('@', StringComparison.Ordinal);
        int scheme = address.IndexOf("://", StringComparison.Ordinal);
        if (at < 0 || scheme < 0)
        {
            return address;
        }

        int colon = address.IndexOf(':', scheme + 3);
        return colon > 0 && colon < at ? address[..(colon + 1)] + "***" + address[at..] : address;
    }
}
