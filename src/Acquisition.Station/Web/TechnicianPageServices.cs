using Acquisition.Core.Storage;
using Acquisition.Station.Configuration;
using Acquisition.Station.Hosting;
using Acquisition.Workflow.Cases;
using Acquisition.Workflow.Recipes;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Acquisition.Station.Web;

/// <summary>Registers the technician page: its options, HTTPS listener, cookie sign-in and the services it reads.</summary>
public static class TechnicianPageServices
{
    public const string CookieName = "acq-technician";

    public static IServiceCollection AddTechnicianPage(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddStationOptions<WebOptions, WebOptionsValidator>(configuration, WebOptions.Section);
        services.AddSingleton<IConfigureOptions<KestrelServerOptions>, WebListenerSetup>();
        services.AddSingleton<WebStrings>();
        services.AddSingleton<OperatorDirectory>();
        services.TryAddSingleton<ITechnicianCapture, SequenceTechnicianCapture>();
        services.AddSingleton<TechnicianEventHub>();
        services.AddSingleton<CaptureProgressTracker>();
        services.AddHostedService(sp => sp.GetRequiredService<CaptureProgressTracker>());
        services.AddSingleton<CaptureResults>();
        services.AddSingleton<UploadStatusPublisher>();
        services.AddHostedService(sp => sp.GetRequiredService<UploadStatusPublisher>());
        services.AddSingleton(sp => new PinLockStore(Path.Combine(sp.GetRequiredService<DataDirectory>().Root, "web", "pin-locks"),
            sp.GetRequiredService<DurableFileWriter>(), sp.GetRequiredService<ILogger<PinLockStore>>()));
        services.AddSingleton(sp => new SignInThrottle(sp.GetRequiredService<IOptions<WebOptions>>(), sp.GetRequiredService<TimeProvider>(),
            sp.GetRequiredService<PinLockStore>()));
        services.AddHostedService<SerialBarcodeScanner>();
        services.AddSingleton<LiveViewLighting>();
        services.AddSingleton<LiveView>();
        services.AddHostedService<OperatorSeeding>();
        services.AddAuthorization();
        services.AddAuthentication(CookieAuthenticationDefaults.AuthenticationScheme).AddCookie(o =>
        {
            o.Cookie.Name = CookieName;
            o.Cookie.HttpOnly = true;
            o.Cookie.SecurePolicy = CookieSecurePolicy.Always;
            // Strict: no other site can make the operator's browser post a case or start a capture.
            o.Cookie.SameSite = SameSiteMode.Strict;
            o.SlidingExpiration = true;
            o.Events.OnRedirectToLogin = ctx =>
            {
                ctx.Response.StatusCode = StatusCodes.Status401Unauthorized;
                return Task.CompletedTask;
            };
        });
        services.AddOptions<CookieAuthenticationOptions>(CookieAuthenticationDefaults.AuthenticationScheme)
            .Configure<IOptions<WebOptions>>((cookie, web) => cookie.ExpireTimeSpan = web.Value.SessionIdle);
        services.AddSingleton(sp => new TechnicianCaseAccess(sp));
        return services;
    }
}
