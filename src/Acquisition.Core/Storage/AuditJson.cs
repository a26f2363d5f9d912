using System.Text.Encodings.Web;
using System.Text.Json;

namespace Acquisition.Core.Storage;

internal static class AuditJson
{
    public static readonly JsonSerializerOptions Options = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        WriteIndented = false,
    };
}
