using System.Net;
using Acquisition.Station.Configuration;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Options;

namespace Acquisition.Station.Web;

/// <summary>
/// Adds the technician page's HTTPS listener beside the control socket: localhost by default, all interfaces with
/// Web:Lan. Kestrel reads its options while the app is built, so the section is bound here without validators; bad
/// values are reported by the configuration check before the server starts.
/// </summary>
public sealed class WebListenerSetup(IConfiguration configuration) : IConfigureOptions<KestrelServerOptions>
{
    public void Configure(KestrelServerOptions options)
    {
        var web = new WebOptions();
        var station = new StationOptions();
        try
        {
            configuration.GetSection(WebOptions.Section).Bind(web);
            configuration.GetSection(StationOptions.Section).Bind(station);
        }
        catch (InvalidOperationException)
        {
            return;
        }
        if (!web.Enabled || web.Port is < 0 or > 65535)
        {
            return;
        }
        if (station.Hardware == HardwareProfile.Fake && configuration[$"{WebOptions.Section}:{nameof(WebOptions.Port)}"] is null)
        {
            // The fake profile runs many hosts side by side (host tests): a free port unless one is asked for.
            web.Port = 0;
        }
        var keys = Path.Combine(station.DataDirectory, "keys");
        // The certificate is made on first use (when the listener binds), after the data directory exists.
        void Https(ListenOptions listen)
        {
            listen.Protocols = HttpProtocols.Http1AndHttp2;
            var certificate = new Lazy<System.Security.Cryptography.X509Certificates.X509Certificate2>(
                () => WebCertificate.LoadOrCreate(web, keys, station.StationId));
            listen.UseHttps(https => https.ServerCertificateSelector = (_, _) => certificate.Value);
        }
        if (web.Lan)
        {
            options.ListenAnyIP(web.Port, Https);
        }
        else
        {
            options.Listen(IPAddress.Loopback, web.Port, Https);
        }
    }
}
