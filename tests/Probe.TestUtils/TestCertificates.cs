using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Probe.TestUtils;

/// <summary>Self-signed certificates made in memory, for real TLS handshakes on loopback.</summary>
public static class TestCertificates
{
    /// <summary>A certificate for <c>CN=<paramref name="name"/></c> naming 127.0.0.1 that expired yesterday (valid for the 30 days before).</summary>
    public static X509Certificate2 Expired(string name) => SelfSigned(name, TimeSpan.FromDays(-1), notBefore: TimeSpan.FromDays(-31));

    /// <summary>A certificate for <c>CN=<paramref name="name"/></c> naming 127.0.0.1 (or not), valid from yesterday (or <paramref name="notBefore"/> from now) for <paramref name="validFor"/> from now.</summary>
    public static X509Certificate2 SelfSigned(string name, TimeSpan validFor, bool namesLoopback = true, TimeSpan? notBefore = null)
    {
        using var key = RSA.Create(2048);
        var request = new CertificateRequest($"CN={name}", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        var san = new SubjectAlternativeNameBuilder();
        if (namesLoopback)
        {
            san.AddIpAddress(IPAddress.Loopback);
            san.AddDnsName("localhost");
        }
        else
        {
            san.AddDnsName("elsewhere.invalid");
        }

        request.CertificateExtensions.Add(san.Build());
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], critical: false));
        DateTimeOffset now = TimeProvider.System.GetUtcNow();
        using X509Certificate2 created = request.CreateSelfSigned(now + (notBefore ?? TimeSpan.FromDays(-1)), now + validFor);

        // Kestrel needs the private key in a form the platform can use: round-trip through PKCS#12.
        return X509CertificateLoader.LoadPkcs12(created.Export(X509ContentType.Pfx), null);
    }
}
