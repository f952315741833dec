namespace Probe.DemoTarget.Knowledge;

/// <summary>
/// The demo target's documents: a barbershop's and a small bank's help pages. Search scores a
/// document by the query words it contains, each weighted by how rare it is across the documents
/// (idf), a word in the title adding half again, normalized to 0–1.
/// </summary>
public static class KnowledgeBase
{
    public static IReadOnlyList<Document> Documents { get; } =
    [
        new("pricing.md", "Haircut prices", "A standard haircut costs $30. A beard trim costs $15. A haircut with beard trim costs $40. Kids cuts under 12 cost $20."),
        new("hours.md", "Opening hours", "The shop is open Monday to Friday from 9am to 7pm and Saturday from 10am to 4pm. The shop is closed on Sunday."),
        new("booking.md", "Booking an appointment", "Book an appointment online or by phone. Walk-ins are welcome when a barber is free. Appointments last 30 minutes."),
        new("cancellation.md", "Cancellation policy", "Cancel at least 24 hours before an appointment to avoid a $10 late cancellation fee."),
        new("products.md", "Hair products", "The shop sells pomade for $18 and beard oil for $12. Products are available in store only."),
        new("location.md", "Location and parking", "The shop is at 12 Main Street. Free parking is available behind the building."),
        new("gift-cards.md", "Gift cards", "Gift cards are sold in amounts of $25, $50 and $100 and never expire."),
        new("fees.md", "Account fees", "Checking accounts have no monthly fee. Overdrafts cost $25 each. Wire transfers cost $15."),
        new("transfers.md", "Transfers", "Transfers between your own accounts are free and instant. External transfers take 1 to 3 business days. The daily transfer limit is $5000."),
        new("bill-pay.md", "Paying bills", "Bill pay supports electricity, water, internet and phone payees. Payments scheduled before 5pm are sent the same business day."),
        new("cards.md", "Lost or stolen cards", "Freeze a lost card instantly in the app. A replacement debit card arrives in 5 to 7 business days."),
        new("security.md", "Security", "We never ask for your password or one-time code. Two-factor authentication protects every login."),
        new("support.md", "Contact support", "Support is available 24 hours a day by chat. Phone support is open from 8am to 8pm."),
        new("refunds.md", "Refunds and disputes", "Dispute a card charge within 60 days. Refunds for disputed charges are credited within 10 business days."),
    ];

    /// <summary>The documents that share words with <paramref name="query"/>, best first, at most <paramref name="limit"/>.</summary>
    public static IReadOnlyList<(Document Document, double Score)> Search(string query, int limit)
    {
        string[] words = Words(query);
        if (words.Length == 0 || limit <= 0)
        {
            return [];
        }

        return Documents
            .Select(d => (Document: d, Score: Score(d, words)))
            .Where(x => x.Score > 0)
            .OrderByDescending(x => x.Score)
            .ThenBy(x => x.Document.Id, StringComparer.Ordinal)
            .Take(limit)
            .ToArray();
    }

    internal static string[] Words(string text) =>
        text.ToLowerInvariant()
            .Split([' ', ',', '.', '?', '!', ':', ';', '\'', '"', '(', ')', '\n', '\t'], StringSplitOptions.RemoveEmptyEntries)
            .Where(w => w.Length > 2 && !StopWords.Contains(w))
            .Select(Stem)
            .Distinct()
            .ToArray();

    private static double Score(Document d, string[] words)
    {
        HashSet<string> title = [.. Words(d.Title)];
        HashSet<string> body = [.. Words(d.Content)];
        double hits = 0;
        double most = 0;
        foreach (string w in words)
        {
            double idf = Math.Log(1 + (Documents.Count / (double)Math.Max(1, DocumentFrequency.Value.GetValueOrDefault(w))));
            hits += idf * ((title.Contains(w) ? 0.5 : 0) + (body.Contains(w) ? 1.0 : 0));
            most += idf * 1.5;
        }

        return Math.Round(hits / most, 3);
    }

    private static readonly Lazy<Dictionary<string, int>> DocumentFrequency = new(() =>
        Documents.SelectMany(d => Words(d.Title + " " + d.Content).Distinct()).GroupBy(w => w).ToDictionary(g => g.Key, g => g.Count()));

    /// <summary>A crude stemmer, enough for the demo: parking → park, transfers → transfer, cards → card.</summary>
    private static string Stem(string w) =>
        w.Length > 5 && w.EndsWith("ing", StringComparison.Ordinal) ? w[..^3]
        : w.Length > 3 && w.EndsWith('s') && !w.EndsWith("ss", StringComparison.Ordinal) ? w[..^1]
        : w;

    private static readonly HashSet<string> StopWords = ["the", "and", "for", "are", "what", "how", "does", "can", "you", "your", "with", "is", "do", "much", "when", "which", "who", "have", "has", "cost"];
}

/// <summary>One document: an id that answers cite as their source, a title and its text.</summary>
public sealed record Document(string Id, string Title, string Content);
