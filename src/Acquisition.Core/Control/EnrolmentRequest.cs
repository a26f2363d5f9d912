namespace Acquisition.Core.Control;

/// <summary>POST /station/enrol: the subject for the certificate signing request, e.g. "CN=ST-0042, O=State Crime Lab".</summary>
public sealed record EnrolmentRequest(string? Subject = null);
