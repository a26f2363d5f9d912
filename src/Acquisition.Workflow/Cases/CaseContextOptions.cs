using Acquisition.Core.Domain;

namespace Acquisition.Workflow.Cases;

/// <summary>"Station:Case": a case preset from configuration, used until one is set through the control API.</summary>
public sealed class CaseContextOptions
{
    public CaseContext? Preset { get; set; }
}
