namespace Acquisition.Core.Control;

/// <summary>PUT /holds/{captureId} and DELETE /holds/{captureId}: why the hold is set or lifted (recorded in the audit log).</summary>
public sealed record LegalHoldRequest(string Reason);
