namespace Acquisition.Station.Service.Diagnostics;

/// <summary>Where a long operation reports its steps: the event stream's progress lines, or nowhere for a plain JSON answer.</summary>
public delegate Task OperationProgressSink(double? fraction, string message);
