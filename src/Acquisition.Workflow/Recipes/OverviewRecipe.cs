using Acquisition.Core.Units;

namespace Acquisition.Workflow.Recipes;

/// <summary>The low-resolution overview used to find the primer, and the autofocus sweep that follows.</summary>
/// <param name="Lighting">Lighting for the overview and the autofocus frames.</param>
/// <param name="Exposure">Exposure for the overview and the autofocus frames.</param>
/// <param name="Downscale">Integer factor the overview frame is reduced by before circle detection.</param>
/// <param name="AutofocusRange">Full width of the coarse sweep, centred on the nominal focus.</param>
/// <param name="AutofocusCoarseStep">Coarse sweep step.</param>
/// <param name="AutofocusFineStep">Fine sweep step around the coarse peak.</param>
/// <param name="AutofocusTimeLimit">Autofocus fails when it has not found a peak within this.</param>
public sealed record OverviewRecipe(
    LightingStep Lighting,
    TimeSpan Exposure,
    int Downscale,
    Micrometres AutofocusRange,
    Micrometres AutofocusCoarseStep,
    Micrometres AutofocusFineStep,
    TimeSpan AutofocusTimeLimit);
