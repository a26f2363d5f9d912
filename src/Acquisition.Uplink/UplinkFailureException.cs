using System.Net;

namespace Acquisition.Uplink;

/// <summary>A delivery attempt failed; <see cref="Kind"/> says whether to retry, restart a blob or reject.</summary>
public sealed class UplinkFailureException : Exception
{
    public UplinkFailureException(UplinkFailureKind kind, string message, HttpStatusCode? status = null, string? serverError = null, TimeSpan? retryAfter = null, Exception? inner = null)
        : base(message, inner)
    {
        Kind = kind;
        Status = status;
        ServerError = serverError;
        RetryAfter = retryAfter;
    }

    public UplinkFailureKind Kind { get; }
    public HttpStatusCode? Status { get; }

    /// <summary>The server's error body, kept verbatim (truncated to 16 KiB) for the console and technician page.</summary>
    public string? ServerError { get; }

    public TimeSpan? RetryAfter { get; }
}
