using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;

namespace Acquisition.Uplink;

/// <summary>
/// Answers the registry's 401 challenges: Basic with the configured credentials, or the distribution token flow
/// (WWW-Authenticate: Bearer realm, service, scope → GET realm → token), then re-sends the request once.
/// Tokens are cached per scope until they expire. Credentials and tokens are never logged.
/// </summary>
internal sealed class RegistryAuthHandler : DelegatingHandler
{
    private readonly RegistryCredentials _credentials;
    private readonly TimeProvider _time;
    private readonly ConcurrentDictionary<string, (string Token, DateTimeOffset Expires)> _tokens = new(StringComparer.Ordinal);
    private volatile bool _useBasic;

    public RegistryAuthHandler(RegistryCredentials credentials, TimeProvider time)
    {
        _credentials = credentials;
        _time = time;
    }

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        Authorize(request, scope: null);
        var response = await base.SendAsync(request, cancellationToken).ConfigureAwait(false);
        if (response.StatusCode != HttpStatusCode.Unauthorized)
        {
            return response;
        }
        var challenge = response.Headers.WwwAuthenticate.FirstOrDefault();
        if (challenge is null)
        {
            return response;
        }
        if (string.Equals(challenge.Scheme, "Basic", StringComparison.OrdinalIgnoreCase))
        {
            if (!_credentials.HasBasic || _useBasic)
            {
                return response; // nothing (new) to offer: the caller reports an authentication failure
            }
            _useBasic = true;
        }
        else if (string.Equals(challenge.Scheme, "Bearer", StringComparison.OrdinalIgnoreCase))
        {
            var parameters = ParseChallenge(challenge.Parameter ?? "");
            if (!parameters.TryGetValue("realm", out var realm))
            {
                return response;
            }
            parameters.TryGetValue("scope", out var scope);
            var token = await FetchTokenAsync(realm, parameters.GetValueOrDefault("service"), scope, cancellationToken).ConfigureAwait(false);
            if (token is null)
            {
                return response;
            }
            _tokens[scope ?? ""] = token.Value;
            _tokens[""] = token.Value;
        }
        else
        {
            return response;
        }
        response.Dispose();
        Authorize(request, scope: null);
        return await base.SendAsync(request, cancellationToken).ConfigureAwait(false);
    }

    private void Authorize(HttpRequestMessage request, string? scope)
    {
        if (_tokens.TryGetValue(scope ?? "", out var t) && t.Expires > _time.GetUtcNow())
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", t.Token);
        }
        else if (_credentials.BearerToken is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", _credentials.BearerToken);
        }
        else if (_useBasic && _credentials.HasBasic)
        {
            request.Headers.Authorization = BasicHeader();
        }
    }

    private AuthenticationHeaderValue BasicHeader() =>
        new("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{_credentials.BasicUser}:{_credentials.BasicPassword}")));

    private async Task<(string Token, DateTimeOffset Expires)?> FetchTokenAsync(string realm, string? service, string? scope, CancellationToken cancellationToken)
    {
        var query = new List<string>();
        if (service is not null)
        {
            query.Add("service=" + Uri.EscapeDataString(service));
        }
        if (scope is not null)
        {
            query.Add("scope=" + Uri.EscapeDataString(scope));
        }
        var uri = new UriBuilder(realm) { Query = string.Join('&', query) }.Uri;
        using var tokenRequest = new HttpRequestMessage(HttpMethod.Get, uri);
        if (_credentials.HasBasic)
        {
            tokenRequest.Headers.Authorization = BasicHeader();
        }
        using var response = await base.SendAsync(tokenRequest, cancellationToken).ConfigureAwait(false);
        if (!response.IsSuccessStatusCode)
        {
            return null;
        }
        using var doc = JsonDocument.Parse(await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false));
        var root = doc.RootElement;
        var token = root.TryGetProperty("token", out var tk) ? tk.GetString() : root.TryGetProperty("access_token", out var at) ? at.GetString() : null;
        if (string.IsNullOrEmpty(token))
        {
            return null;
        }
        // The spec's default lifetime is 60 s; renew a little early.
        var seconds = root.TryGetProperty("expires_in", out var e) && e.TryGetInt32(out var s) ? s : 60;
        return (token, _time.GetUtcNow().AddSeconds(Math.Max(10, seconds - 10)));
    }

    /// <summary>Parses <c>realm="...",service="...",scope="..."</c> (quoted values may contain commas).</summary>
    internal static Dictionary<string, string> ParseChallenge(string parameter)
    {
        var result = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        var i = 0;
        while (i < parameter.Length)
        {
            while (i < parameter.Length && (parameter[i] == ',' || char.IsWhiteSpace(parameter[i])))
            {
                i++;
            }
            var eq = parameter.IndexOf('=', i);
            if (eq < 0)
            {
                break;
            }
            var key = parameter[i..eq].Trim();
            i = eq + 1;
            string value;
            if (i < parameter.Length && parameter[i] == '"')
            {
                var end = parameter.IndexOf('"', i + 1);
                if (end < 0)
                {
                    end = parameter.Length;
                }
                value = parameter[(i + 1)..end];
                i = end + 1;
            }
            else
            {
                var end = parameter.IndexOf(',', i);
                if (end < 0)
                {
                    end = parameter.Length;
                }
                value = parameter[i..end].Trim();
                i = end;
            }
            result[key] = value;
        }
        return result;
    }
}
