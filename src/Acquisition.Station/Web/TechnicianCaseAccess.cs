using Acquisition.Core.Storage;
using Acquisition.Station.Hosting;
using Acquisition.Workflow.Cases;
using Acquisition.Workflow.Recipes;
using Microsoft.Extensions.Options;

namespace Acquisition.Station.Web;

/// <summary>The calibre table and case store: the workflow's when it registers them, else built here.</summary>
public sealed class TechnicianCaseAccess(IServiceProvider services)
{
    private readonly Lazy<CalibreTable> _calibres = new(() => services.GetService<CalibreTable>() ?? LoadCalibres(services));
    private readonly Lazy<CaseContextStore> _store = new(() => services.GetService<CaseContextStore>() ?? new CaseContextStore(
        services.GetRequiredService<DataDirectory>(), services.GetRequiredService<DurableFileWriter>(),
        services.GetRequiredService<AuditLog>(), services.GetService<CalibreTable>() ?? LoadCalibres(services), new CaseContextOptions()));

    public CalibreTable Calibres => _calibres.Value;

    public CaseContextStore Store => _store.Value;

    private static CalibreTable LoadCalibres(IServiceProvider services)
    {
        var web = services.GetRequiredService<IOptions<WebOptions>>().Value;
        var launch = services.GetRequiredService<StationLaunch>();
        var directory = !string.IsNullOrEmpty(web.FirmwareConfigDirectory) ? web.FirmwareConfigDirectory
            : launch.EffectiveConfigFile is { } file ? Path.GetDirectoryName(Path.GetFullPath(file))!
            : AppContext.BaseDirectory;
        return RecipeLoader.LoadDirectory(directory);
    }
}
