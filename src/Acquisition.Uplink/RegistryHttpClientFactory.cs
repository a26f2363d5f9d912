using System.Net;
using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using Microsoft.Extensions.Http.Resilience;
using Polly;

namespace Acquisition.Uplink;

/// <summary>
/// Builds the HttpClient for one registry: TLS with the system trust store or a pinned CA bundle, an optional client
/// certificate, the auth handler outside a resilience pipeline (per-request timeout; short retries with exponential
/// backoff and jitter for idempotent reads only: uploads resynchronise with the server instead of blind re-sends).
/// </summary>
public static class RegistryHttpClientFactory
{
    public static HttpClient Create(UplinkDestinationOptions destination, UplinkOptions options, TimeProvider time)
    {
        var sockets = new SocketsHttpHandler
        {
            PooledConnectionLifetime = TimeSpan.FromMinutes(5),
            ConnectTimeout = TimeSpan.FromSeconds(30),
            AutomaticDecompression = DecompressionMethods.None,
            AllowAutoRedirect = true,
        };
        if (destination.CaBundlePath is not null)
        {
            var roots = new X509Certificate2Collection();
            roots.ImportFromPemFile(destination.CaBundlePath);
            sockets.SslOptions.RemoteCertificateValidationCallback = (_, cert, _, errors) => ValidateAgainst(roots, cert, errors);
        }
        if (destination.ClientCertificatePath is not null && destination.ClientKeyPath is not null)
        {
            CredentialFiles.ThrowIfNotPrivate(destination.ClientKeyPath, "client key");
            var pem = X509Certificate2.CreateFromPemFile(destination.ClientCertificatePath, destination.ClientKeyPath);
            // Re-import so the private key is usable by the TLS stack on every platform.
            var cert = X509CertificateLoader.LoadPkcs12(pem.Export(X509ContentType.Pkcs12), null);
            sockets.SslOptions.ClientCertificates = new X509CertificateCollection { cert };
        }

        var pipeline = new ResiliencePipelineBuilder<HttpResponseMessage> { TimeProvider = time }
            .AddRetry(new HttpRetryStrategyOptions
            {
                MaxRetryAttempts = 3,
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
                Delay = TimeSpan.FromMilliseconds(250),
                MaxDelay = TimeSpan.FromSeconds(10),
                ShouldRetryAfterHeader = true,
                ShouldHandle = args =>
                {
                    var method = args.Context.GetRequestMessage()?.Method;
                    var idempotentRead = method == HttpMethod.Get || method == HttpMethod.Head;
                    return ValueTask.FromResult(idempotentRead && HttpClientResiliencePredicates.IsTransient(args.Outcome));
                },
            })
            .AddTimeout(options.RequestTimeout)
            .Build();

        var resilience = new ResilienceHandler(pipeline) { InnerHandler = sockets };
        var auth = new RegistryAuthHandler(LoadCredentials(destination), time) { InnerHandler = resilience };
        // A backstop only: RegistryClient bounds each head (pipeline) and body (its own timeout) separately.
        return new HttpClient(auth) { Timeout = options.RequestTimeout * 6 };
    }

    public static RegistryCredentials LoadCredentials(UplinkDestinationOptions destination)
    {
        if (destination.BasicCredentialsFile is not null)
        {
            var (user, password) = CredentialFiles.ReadBasic(destination.BasicCredentialsFile);
            return new RegistryCredentials(user, password);
        }
        if (destination.BearerTokenFile is not null)
        {
            return new RegistryCredentials(bearerToken: CredentialFiles.ReadSecret(destination.BearerTokenFile, "bearer token"));
        }
        return new RegistryCredentials();
    }

    private static bool ValidateAgainst(X509Certificate2Collection roots, X509Certificate? certificate, SslPolicyErrors errors)
    {
        if (certificate is null || (errors & SslPolicyErrors.RemoteCertificateNameMismatch) != 0 || (errors & SslPolicyErrors.RemoteCertificateNotAvailable) != 0)
        {
            return false;
        }
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.AddRange(roots);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        using var leaf = new X509Certificate2(certificate);
        return chain.Build(leaf);
    }
}
