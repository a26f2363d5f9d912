using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json;
using Acquisition.Core.Control;
using Acquisition.Core.Storage;
using Acquisition.Packaging;
using Acquisition.Station.Configuration;
using Acquisition.Station.ControlApi;
using Microsoft.Extensions.Options;

namespace Acquisition.Station.Service;

/// <summary>
/// POST /station/enrol and POST /station/keys/rotate: the station's ECDSA P-256 signing key in the Packaging
/// <see cref="StationKeyStore"/> (the key the evidence packages are signed with and the uplink announces), its
/// fingerprint, and a PKCS#10 request for the lab's PKI. Rotation archives the old public key in keys/history/ so
/// old packages still verify. Audited as "station.enrolled" / "station.key-rotated" with the peer user.
/// </summary>
internal static class StationIdentityEndpoints
{
    public static WebApplication MapStationIdentityApi(this WebApplication app)
    {
        app.MapPost(ControlApiRoutes.Enrol, (HttpContext c, StationKeyStore keys, AuditLog audit, IOptions<StationOptions> station) => RunAsync(c, keys, audit, station, rotate: false));
        app.MapPost(ControlApiRoutes.KeyRotate, (HttpContext c, StationKeyStore keys, AuditLog audit, IOptions<StationOptions> station) => RunAsync(c, keys, audit, station, rotate: true));
        return app;
    }

    private static async Task<IResult> RunAsync(HttpContext context, StationKeyStore keys, AuditLog audit, IOptions<StationOptions> station, bool rotate)
    {
        EnrolmentRequest? request = new();
        if (context.Request.ContentLength is > 0 || context.Request.Headers.TransferEncoding.Count > 0)
        {
            try
            {
                request = await JsonSerializer.DeserializeAsync<EnrolmentRequest>(context.Request.Body, ControlApiJson.Options, context.RequestAborted).ConfigureAwait(false);
            }
            catch (JsonException)
            {
                request = null;
            }
        }
        if (request is null)
        {
            return Results.Problem("""The body is not an enrolment request. Send JSON like { "subject": "CN=ACQ-0042, O=State Crime Lab, C=US" } or no body.""",
                statusCode: StatusCodes.Status400BadRequest, title: "Bad request");
        }
        var subjectText = request.Subject ?? "CN=" + station.Value.StationId;
        X500DistinguishedName subject;
        try
        {
            subject = new X500DistinguishedName(subjectText);
            if (subject.RawData.Length <= 2)
            {
                throw new CryptographicException("empty name");
            }
        }
        catch (CryptographicException ex)
        {
            return Results.ValidationProblem(new Dictionary<string, string[]> { ["subject"] = [$"'{subjectText}' is not a distinguished name ({ex.Message}). Write it like \"CN=ACQ-0042, O=State Crime Lab, C=US\"."] },
                "The subject is not a distinguished name.", statusCode: StatusCodes.Status422UnprocessableEntity);
        }

        var user = context.GetCaller().UserName;
        var previous = keys.HasKey ? keys.CurrentKeyId() : null;
        var created = !keys.HasKey;
        if (rotate)
        {
            await keys.RotateAsync(CancellationToken.None).ConfigureAwait(false);
            created = true;
        }
        using var key = await keys.GetOrCreateSigningKeyAsync(CancellationToken.None).ConfigureAwait(false);
        var keyId = KeyIds.Of(key);
        var csr = CreateSigningRequestPem(key, subject);
        var history = keys.TrustedPublicKeys().Where(k => !k.IsCurrent).Select(k => k.KeyId).ToArray();
        await audit.AppendAsync(user, rotate ? "station.key-rotated" : "station.enrolled", rotate
            ? new { keyId, previousKeyId = previous, csrSubject = subject.Name }
            : (object)new { keyId, created, csrSubject = subject.Name }, CancellationToken.None).ConfigureAwait(false);
        return Results.Json(new StationIdentity(keyId, key.ExportSubjectPublicKeyInfoPem(), created, csr, history), ControlApiJson.Options);
    }

    /// <summary>A PKCS#10 request for a signing certificate bound to the station's key (as acq does locally).</summary>
    private static string CreateSigningRequestPem(ECDsa key, X500DistinguishedName subject)
    {
        var request = new CertificateRequest(subject, key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature | X509KeyUsageFlags.NonRepudiation, critical: true));
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, critical: true));
        return request.CreateSigningRequestPem();
    }
}
