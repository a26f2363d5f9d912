namespace Acquisition.Core.Control;

/// <summary>POST /autofocus: a sweep around the current Z. Null range and step use the sweep's defaults (400 µm, 20 µm).</summary>
/// <param name="WindowMicrometres">
/// Side of the centred square on the casing that the focus is scored over, e.g. 0.6 × the primer diameter to focus on
/// the primer as a capture does; null scores the central 90 % of the view, which over a casing takes in the head face.
/// </param>
public sealed record AutofocusRequest(double? RangeMicrometres = null, double? StepMicrometres = null, double? WindowMicrometres = null);
