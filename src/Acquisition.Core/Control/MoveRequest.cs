namespace Acquisition.Core.Control;

/// <summary>POST /stage/move: an absolute move in machine coordinates; axes left null do not move. Privileged, audited.</summary>
public sealed record MoveRequest(double? XMicrometres, double? YMicrometres, double? ZMicrometres, double? FeedRateMicrometresPerSecond = null);
