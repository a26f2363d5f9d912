using Acquisition.Core.Hardware;

namespace Acquisition.Core.Control;

/// <summary>POST /stage/jog: a relative move of one axis. Privileged, audited as "stage.jog".</summary>
/// <param name="FeedRateMicrometresPerSecond">Null for the configured jog speed.</param>
public sealed record JogRequest(Axis Axis, double DistanceMicrometres, double? FeedRateMicrometresPerSecond = null);
