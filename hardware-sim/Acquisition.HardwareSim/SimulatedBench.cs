using System.Collections.Immutable;
using System.Device.Gpio;
using Acquisition.Core.Hardware;
using Acquisition.HardwareSim.Clock;
using Acquisition.HardwareSim.Control;
using Acquisition.HardwareSim.Gpio;
using Acquisition.HardwareSim.Grbl;
using Acquisition.HardwareSim.Pwm;

namespace Acquisition.HardwareSim;

/// <summary>
/// The whole bench: one clock, the GRBL controller on a pty, the GPIO driver with the panel and safety inputs, the
/// ring light's PCA9685 and native PWM channels, the fault switches and (optionally) the control socket.
/// </summary>
public sealed class SimulatedBench : IBenchState, IDisposable
{
    private readonly SimulatedBenchOptions _options;
    private readonly object _gate = new();
    private readonly List<ITimer> _bounceTimers = [];
    private readonly BenchControlServer? _control;
    private readonly bool _ownsClock;
    private bool _buttonPressed;
    private bool _casingPresent;
    private bool _doorOpen;
    private readonly StreamWriter? _trace;
    private readonly DateTimeOffset _traceOrigin;
    private readonly System.Diagnostics.Stopwatch? _traceWall;

    public SimulatedBench(SimulatedBenchOptions? options = null, SimulationClock? clock = null)
    {
        _options = options ?? new SimulatedBenchOptions();
        _options.Validate();
        _ownsClock = clock is null;
        SimClock = clock ?? new SimulationClock(_options.Clock);
        Faults = new BenchFaults();
        Motion = new GrblPtyHost(SimClock, _options.Grbl, linkPath: _options.SerialLinkPath);
        Gpio = new SimGpioDriver(SimClock, _options.Pins);
        Pca9685 = new SimPca9685(SimClock);
        PwmChannels = [.. Enumerable.Range(0, 16).Select(_ => new SimPwmChannel(SimClock))];
        Faults.Changed += OnFault;
        Grbl.ArmedFaultFired += OnArmedFaultFired;
        if (_options.MotorEnableWired)
        {
            Gpio.OutputWritten += OnOutputWritten;
        }
        if (_options.TracePath is { } tracePath)
        {
            _trace = new StreamWriter(tracePath, append: false, new System.Text.UTF8Encoding(false));
            _traceOrigin = SimClock.GetUtcNow();
            _traceWall = System.Diagnostics.Stopwatch.StartNew();
            _trace.WriteLine("# sim_ms wall_ms kind detail (sim = simulation clock since the bench started)");
            Motion.Trace = TraceLine;
        }
        if (_options.ControlSocketPath is { } socketPath)
        {
            _control = new BenchControlServer(this, socketPath);
        }
    }

    public SimulationClock SimClock { get; }

    TimeProvider IBenchState.Clock => SimClock;

    public BenchFaults Faults { get; }

    public GrblPtyHost Motion { get; }

    public GrblController Grbl => Motion.Controller;

    /// <summary>Open this with <c>new SerialPort(SerialPortPath, 115200)</c>.</summary>
    public string SerialPortPath => Motion.PortPath;

    /// <summary>Give this to <c>new GpioController(bench.Gpio)</c>.</summary>
    public SimGpioDriver Gpio { get; }

    public SimPca9685 Pca9685 { get; }

    /// <summary>Native PWM channels 0–15 (used when <see cref="SimulatedBenchOptions.Lights"/> is NativePwm).</summary>
    public IReadOnlyList<SimPwmChannel> PwmChannels { get; }

    public PinMap Pins => _options.Pins;

    public string? ControlSocketPath => _options.ControlSocketPath;

    /// <summary>
    /// The camera's hook: renders a frame of the bench now and returns it as PNG. Set by whoever wires the simulated
    /// camera in; the control socket's "snap" and the tool's <c>snap</c> use it.
    /// </summary>
    public Func<CancellationToken, Task<byte[]>>? SnapPng { get; set; }

    /// <summary>
    /// Wires a simulated camera to the bench's fault switches, so that "camera-disconnect" and "camera-timeout" from
    /// tests, the control socket or the tool act on it (and switching them off recovers it). Faults already on act at
    /// once. Dispose the result to unwire.
    /// </summary>
    public IDisposable WireCamera(Camera.SimulatedCamera camera)
    {
        ArgumentNullException.ThrowIfNull(camera);
        void Apply(string name, bool on)
        {
            switch (name)
            {
                case "camera-disconnect" when on:
                    camera.Disconnect();
                    break;
                case "camera-disconnect":
                    camera.Reconnect();
                    break;
                case "camera-timeout" when on:
                    camera.StopFrames();
                    break;
                case "camera-timeout":
                    camera.ResumeFrames();
                    break;
            }
        }
        Faults.Changed += Apply;
        if (Faults.CameraDisconnected)
        {
            Apply("camera-disconnect", true);
        }
        if (Faults.CameraFrameTimeouts)
        {
            Apply("camera-timeout", true);
        }
        return new Unwire(() => Faults.Changed -= Apply);
    }

    private sealed class Unwire(Action undo) : IDisposable
    {
        private int _done;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _done, 1) == 0)
            {
                undo();
            }
        }
    }

    public StagePosition TruePositionAt(DateTimeOffset at) => Grbl.TruePositionAt(at);

    public StagePosition ReportedPositionAt(DateTimeOffset at) => Grbl.ReportedPositionAt(at);

    public LightingState LightingAt(DateTimeOffset at) => LightingDetailAt(at).Lighting;

    public LightingDetail LightingDetailAt(DateTimeOffset at)
    {
        PwmOutput[] outputs = _options.Lights == LightDriver.Pca9685
            ? Pca9685.OutputsAt(at)
            : [.. PwmChannels.Select(c => c.OutputAt(at))];
        var segments = outputs.Take(_options.SegmentCount).ToArray();
        var coaxial = outputs[_options.CoaxialChannel];
        return new LightingDetail(
            new LightingState(ImmutableArray.Create(segments.Select(o => o.Duty).ToArray()), coaxial.Duty),
            segments, coaxial);
    }

    public bool ButtonPressed
    {
        get
        {
            lock (_gate)
            {
                return _buttonPressed;
            }
        }
    }

    public bool DoorOpen
    {
        get
        {
            lock (_gate)
            {
                return _doorOpen;
            }
        }
    }

    public bool CasingPresent
    {
        get
        {
            lock (_gate)
            {
                return _casingPresent;
            }
        }
    }

    public void PressButton() => SetButton(true);

    /// <summary>Releases the button, unless the stuck-button fault holds it down.</summary>
    public void ReleaseButton()
    {
        if (!Faults.StuckButton)
        {
            SetButton(false);
        }
    }

    /// <summary>Presses, holds for <paramref name="hold"/> of simulated time, releases.</summary>
    public async Task PressAsync(TimeSpan hold, CancellationToken cancellationToken)
    {
        PressButton();
        await Task.Delay(hold, SimClock, cancellationToken).ConfigureAwait(false);
        ReleaseButton();
    }

    public void OpenDoor() => SetDoor(true);

    public void CloseDoor() => SetDoor(false);

    public void InsertCasing() => SetCasing(true);

    public void RemoveCasing() => SetCasing(false);

    /// <summary>
    /// Arms a fault for the next move: "stall-x", "stall-y" or "stall-z" once that axis has travelled
    /// <paramref name="afterMicrometres"/>, or "controller-reset" (a reboot mid-move) once the moves have covered that
    /// path length. It fires once, at that simulated moment, and then shows as an active fault like a switched one.
    /// </summary>
    public void ArmFault(string name, double afterMicrometres)
    {
        ArmedMoveFault fault = name switch
        {
            "stall-x" => ArmedMoveFault.Stall(Axis.X, afterMicrometres),
            "stall-y" => ArmedMoveFault.Stall(Axis.Y, afterMicrometres),
            "stall-z" => ArmedMoveFault.Stall(Axis.Z, afterMicrometres),
            "controller-reset" => ArmedMoveFault.ControllerReset(afterMicrometres),
            _ => throw new ArgumentException(
                $"Fault '{name}' cannot be armed for a move; armable: stall-x, stall-y, stall-z, controller-reset.", nameof(name)),
        };
        Grbl.ArmFault(fault);
    }

    /// <summary>Pushes an axis by hand (only while the drivers are off; see <see cref="SimulatedBenchOptions.MotorEnableWired"/>).</summary>
    public void PushCarriage(Axis axis, double micrometres) => Grbl.PushCarriage(axis, micrometres);

    /// <summary>Reads an output pin of the pin map as the station left it (LEDs, motor enable).</summary>
    public bool OutputHigh(int pin) => Gpio.LevelOf(pin) == PinValue.High;

    public BenchStatus Status()
    {
        var now = SimClock.GetUtcNow();
        var pins = new Dictionary<string, int>();
        foreach (var (name, pin) in Pins.AllPins())
        {
            pins[name] = Gpio.LevelOf(pin) == PinValue.High ? 1 : 0;
        }
        return new BenchStatus(now, SimClock.Mode.ToString(), Grbl.State.ToString(), ReportedPositionAt(now), TruePositionAt(now),
            Grbl.ReportedSteps, Grbl.TrueSteps, LightingDetailAt(now), pins, ButtonPressed, DoorOpen, CasingPresent,
            Faults.Active, SerialPortPath, SnapPng is not null, Grbl.DriversEnabled, Grbl.ReferenceValid,
            Grbl.ArmedFault is { } armed ? string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{armed.FaultName} after {armed.AfterMicrometres:0.###} µm") : null,
            Grbl.WorkCoordinateOffsetMm);
    }

    /// <summary>Writes one transcript line (when <see cref="SimulatedBenchOptions.TracePath"/> is set): give it to a camera's Trace.</summary>
    public void TraceLine(string kind, string detail)
    {
        if (_trace is null)
        {
            return;
        }
        var sim = (SimClock.GetUtcNow() - _traceOrigin).TotalMilliseconds;
        var text = detail.Replace("\r", "\\r", StringComparison.Ordinal).Replace("\n", "\\n", StringComparison.Ordinal);
        lock (_trace)
        {
            _trace.WriteLine(string.Create(System.Globalization.CultureInfo.InvariantCulture,
                $"{sim:0.000} {_traceWall!.Elapsed.TotalMilliseconds:0.000} {kind} {text}"));
        }
    }

    public void Dispose()
    {
        if (_trace is not null)
        {
            lock (_trace)
            {
                _trace.Dispose();
            }
        }
        _control?.Dispose();
        lock (_gate)
        {
            foreach (var t in _bounceTimers)
            {
                t.Dispose();
            }
        }
        Motion.Dispose();
        Gpio.Dispose();
        Pca9685.Dispose();
        foreach (var c in PwmChannels)
        {
            c.Dispose();
        }
        if (_ownsClock)
        {
            SimClock.Dispose();
        }
    }

    private void SetButton(bool pressed)
    {
        lock (_gate)
        {
            if (_buttonPressed == pressed)
            {
                return;
            }
            _buttonPressed = pressed;
        }
        var active = Pins.ButtonActiveLow ? PinValue.Low : PinValue.High;
        var inactive = Pins.ButtonActiveLow ? PinValue.High : PinValue.Low;
        var final = pressed ? active : inactive;
        Gpio.SetInputLevel(Pins.CaptureButton, final);
        // Contact bounce: after the first edge the contact chatters, ending at the final level.
        for (var i = 1; i <= _options.ButtonBounceEdges * 2; i++)
        {
            var level = i % 2 == 1 ? (pressed ? inactive : active) : final;
            ITimer? timer = null;
            timer = SimClock.CreateTimer(_ =>
            {
                Gpio.SetInputLevel(Pins.CaptureButton, level);
                lock (_gate)
                {
                    if (timer is not null)
                    {
                        _bounceTimers.Remove(timer);
                    }
                }
                timer?.Dispose();
            }, null, _options.ButtonBounceInterval * i, Timeout.InfiniteTimeSpan);
            lock (_gate)
            {
                _bounceTimers.Add(timer);
            }
        }
    }

    private void SetDoor(bool open)
    {
        lock (_gate)
        {
            _doorOpen = open;
        }
        var closedLevel = Pins.DoorClosedLow ? PinValue.Low : PinValue.High;
        var openLevel = Pins.DoorClosedLow ? PinValue.High : PinValue.Low;
        Gpio.SetInputLevel(Pins.DoorInterlock, open ? openLevel : closedLevel);
        // The same switch is wired to GRBL's safety-door input.
        Grbl.SetDoorOpen(open);
    }

    private void SetCasing(bool present)
    {
        lock (_gate)
        {
            _casingPresent = present;
        }
        Gpio.SetInputLevel(Pins.CasingPresent, present ? PinValue.High : PinValue.Low);
    }

    private void OnArmedFaultFired(ArmedMoveFault fault)
    {
        // A fired stall stays on until switched off, like the switched fault; a reboot is over once it happened.
        if (fault.Kind == ArmedMoveFaultKind.Stall)
        {
            Faults.RecordOn(fault.FaultName);
        }
    }

    private void OnOutputWritten(int pin, PinValue value)
    {
        if (pin == Pins.MotorEnable)
        {
            Grbl.SetDriversEnabled(value == (_options.MotorEnableActiveHigh ? PinValue.High : PinValue.Low));
        }
    }

    private void OnFault(string name, bool on)
    {
        switch (name)
        {
            case "serial-garbage" when on:
                Grbl.InjectGarbage([0xFE, 0x13, (byte)'#', 0x9C, (byte)'o', 0x00, (byte)'k', 0xE5]);
                break;
            case "dropped-ok" when on:
                Grbl.DropNextOk();
                break;
            case "controller-reset" when on:
                Grbl.PowerCycle();
                break;
            case "limit-x" or "limit-y" or "limit-z":
                Grbl.SetLimitForced(Enum.Parse<Axis>(name[^1..], ignoreCase: true), on);
                break;
            case "stall-x" or "stall-y" or "stall-z":
                Grbl.SetStalled(Enum.Parse<Axis>(name[^1..], ignoreCase: true), on);
                break;
            case "door-open":
                SetDoor(on);
                break;
            case "serial-unplugged":
                if (on)
                {
                    Motion.Unplug();
                }
                else
                {
                    Motion.Replug();
                }
                break;
            case "stuck-button":
                if (on)
                {
                    SetButton(true);
                }
                else
                {
                    SetButton(false);
                }
                break;
        }
    }
}
