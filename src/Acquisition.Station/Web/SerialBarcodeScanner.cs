using System.IO.Ports;
using System.Text;
using Microsoft.Extensions.Options;

namespace Acquisition.Station.Web;

/// <summary>
/// A serial barcode scanner (Web:BarcodeScannerPort, e.g. /dev/ttyACM0): each line it sends (CR, LF or CR LF) is
/// checked against the lab's case-number pattern and check digit and sent to the open pages, which put it into the
/// focused case field. A serial scanner sends the bytes it read, so it does not suffer the keyboard-layout garbling of
/// a keyboard-wedge scanner; the check still catches misreads and labels from another lab.
/// </summary>
public sealed class SerialBarcodeScanner(IOptions<WebOptions> options, TechnicianEventHub hub, ILogger<SerialBarcodeScanner> log)
    : BackgroundService
{
    /// <summary>A barcode longer than this without a line end is not a case number: drop it.</summary>
    public const int MaxLineLength = 128;

    private long _linesRead;

    /// <summary>Lines read since start (diagnostics).</summary>
    public long LinesRead => Interlocked.Read(ref _linesRead);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var web = options.Value;
        if (string.IsNullOrWhiteSpace(web.BarcodeScannerPort))
        {
            return;
        }
        using var port = new SerialPort(web.BarcodeScannerPort, web.BarcodeScannerBaudRate, Parity.None, 8, StopBits.One);
        try
        {
            port.Open();
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or ArgumentException)
        {
            // The page still works with a USB (keyboard) scanner or typing; say what to fix.
            log.LogError(ex, "Barcode scanner: cannot open serial port {Port} (Web:BarcodeScannerPort); check the device and that the station's user may open it (dialout group)", web.BarcodeScannerPort);
            return;
        }
        log.LogInformation("Barcode scanner on {Port} at {Baud} baud", web.BarcodeScannerPort, web.BarcodeScannerBaudRate);
        // Closing the port is what ends a pending read on stop.
        await using var closeOnStop = stoppingToken.Register(port.Close);
        var line = new StringBuilder();
        var buffer = new byte[256];
        while (!stoppingToken.IsCancellationRequested)
        {
            int n;
            try
            {
                n = await port.BaseStream.ReadAsync(buffer, stoppingToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (stoppingToken.IsCancellationRequested && ex is OperationCanceledException or IOException or ObjectDisposedException or InvalidOperationException)
            {
                return;
            }
            catch (IOException ex)
            {
                log.LogError(ex, "Barcode scanner on {Port} failed; unplugged? Scans are off until the station restarts", web.BarcodeScannerPort);
                return;
            }
            if (n == 0)
            {
                continue;
            }
            foreach (var b in buffer.AsSpan(0, n))
            {
                if (b is (byte)'\r' or (byte)'\n')
                {
                    Complete(line.ToString(), web);
                    line.Clear();
                }
                else if (line.Length < MaxLineLength)
                {
                    // Barcodes of case numbers are ASCII; anything else is a misread, kept visible as '?'.
                    line.Append(b is >= 0x20 and < 0x7f ? (char)b : '?');
                }
            }
        }
    }

    private void Complete(string value, WebOptions web)
    {
        value = value.Trim();
        if (value.Length == 0)
        {
            return;
        }
        Interlocked.Increment(ref _linesRead);
        var problem = CaseFormValidator.CaseNumberProblem(value, web);
        log.LogInformation("Barcode scanned: {Value} ({Verdict})", value, problem is null ? "valid" : problem.Value.Key);
        hub.Publish(new TechnicianEvent("scan", new BarcodeScanView(value, problem is null, problem?.Key, problem?.Argument)));
    }
}
