namespace Acquisition.Console.Tests;

/// <summary>Station answers in the shape docs/control-api.md specifies (the examples there are these).</summary>
internal static class CannedResponses
{
    public const string Status = """
        {
          "stationId": "ACQ-0042",
          "state": "Ready",
          "reason": "homed",
          "since": "2026-11-23T04:58:00Z",
          "stage": { "state": "Idle", "xMicrometres": 1500, "yMicrometres": -250.5, "zMicrometres": 12000, "homed": true, "limitPins": "",
                     "at": "2026-11-23T04:59:59Z" },
          "lights": { "segments": [0.5, 0.5, 0, 0, 0, 0, 0, 0], "coaxial": 0, "allOff": false },
          "panel": { "door": "closed", "casingPresent": true, "motorsEnabled": true, "indicator": "Ready" },
          "softwareVersion": "0.1.0",
          "startedAt": "2026-11-23T04:57:00Z",
          "uptimeSeconds": 180.5,
          "at": "2026-11-23T05:00:00Z",
          "camera": { "connected": true, "model": "SimCam small", "widthPixels": 1224, "heightPixels": 1024, "pixelFormat": "mono8",
                      "exposureMicroseconds": 5000, "gain": 1, "sensorTemperatureCelsius": 41.5 },
          "calibrations": [
            { "kind": "pixel-size", "status": "valid", "recordId": "pixel-size-v3", "version": 3, "performedAt": "2026-11-01T09:00:00Z",
              "performedBy": "alice", "validUntil": "2027-05-01T09:00:00Z", "warningPeriod": "14.00:00:00" },
            { "kind": "flat-field", "status": "valid", "recordId": "flat-field-v7", "version": 7, "performedAt": "2026-10-25T09:00:00Z",
              "performedBy": "alice", "validUntil": "2026-11-25T09:00:00Z", "warningPeriod": "7.00:00:00" },
            { "kind": "z-scale", "status": "valid", "recordId": "z-scale-v2", "version": 2, "performedAt": "2026-05-20T09:00:00Z",
              "performedBy": "bob", "validUntil": "2026-11-23T06:00:00Z", "warningPeriod": "7.00:00:00" },
            { "kind": "lights", "status": "valid", "recordId": "lights-v4", "version": 4, "performedAt": "2026-11-10T09:00:00Z",
              "performedBy": "bob", "validUntil": "2027-02-10T09:00:00Z", "warningPeriod": "7.00:00:00" }
          ],
          "outbox": { "pending": 2, "uploading": 1, "delivered": 40, "rejected": 1, "held": 0, "oldestPendingAt": "2026-11-23T03:30:00Z" },
          "case": null
        }
        """;

    public const string Case = """
        {
          "agency": "TX2270000", "caseNumber": "2026-0815", "exhibit": "3", "item": "1", "calibre": "9mm Luger", "operatorId": "alice",
          "recoveryDate": "2026-11-20", "recoveryLocation": "El Paso, TX",
          "searchProtocol": { "recoveredNearBorder": true, "recoveredByCustomsOrBorder": false, "fromSuspectedTrafficker": false,
                              "terrorismRelated": false, "fromForeignResident": false }
        }
        """;

    public const string Motion = """{ "state": "Idle", "xMicrometres": 1500, "yMicrometres": -250.5, "zMicrometres": 11950, "homed": true, "limitPins": "", "at": "2026-11-23T05:01:00Z" }""";

    /// <summary>What the foundation's station host serves today, without the issue-8 additions.</summary>
    public const string FoundationStatus = """
        {"stationId":"SIM-0001","state":"Ready","reason":"homed","since":"2026-11-23T04:58:00Z",
         "stage":{"state":"Idle","xMicrometres":0,"yMicrometres":0,"zMicrometres":0,"homed":true,"limitPins":"","at":"2026-11-23T04:59:59Z"},
         "lights":{"segments":[0,0,0,0,0,0,0,0],"coaxial":0,"allOff":true},
         "panel":{"door":"closed","casingPresent":null,"motorsEnabled":true,"indicator":"Ready"},
         "softwareVersion":"0.1.0","startedAt":"2026-11-23T04:57:00Z","uptimeSeconds":12.5}
        """;

    public const string CalibrationResult = """
        {
          "record": {
            "id": "pixel-size-v4", "kind": "pixel-size", "version": 4, "performedAt": "2026-11-23T05:10:00Z", "validUntil": "2027-05-23T05:10:00Z",
            "performedBy": "alice",
            "values": { "pixelSizeXMicrometres": 2.5031, "pixelSizeYMicrometres": 2.4987, "rotationDegrees": 0.412 },
            "residuals": { "rmsPixels": 0.021, "maxPixels": 0.05 },
            "instrumentState": { "software": "0.1.0", "sensorTemperatureCelsius": 41.5 }
          },
          "summary": [
            { "name": "pixel size X", "value": 2.5031, "unit": "µm/px", "lowerLimit": null, "upperLimit": null, "passed": null },
            { "name": "pixel size Y", "value": 2.4987, "unit": "µm/px", "lowerLimit": null, "upperLimit": null, "passed": null },
            { "name": "rotation", "value": 0.412, "unit": "°", "lowerLimit": null, "upperLimit": null, "passed": null },
            { "name": "residual RMS", "value": 0.021, "unit": "px", "lowerLimit": null, "upperLimit": 0.1, "passed": true }
          ],
          "warnings": []
        }
        """;

    public static string Line(string json) => json.ReplaceLineEndings(" ");
}
