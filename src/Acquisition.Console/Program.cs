// acq: the service engineers' console. Each command lives in its own class; registering one is one line here.
using Acquisition.ServiceConsole.Cli;
using Acquisition.ServiceConsole.Commands;
using Acquisition.Console.Stack;

var app = new AcqApplication();
app.Add(StatusCommand.Create);
app.Add(WhoAmICommand.Create);
app.Add(HomeCommand.Create);
app.Add(JogCommand.Create);
app.Add(MoveCommand.Create);
app.Add(LightCommand.Create);
app.Add(SnapCommand.Create);
app.Add(AutofocusCommand.Create);
app.Add(SelfTestCommand.Create);
app.Add(CalibrateCommand.Create);
app.Add(VerifyCommand.Create);
app.Add(CaseCommand.Create);
app.Add(HoldCommand.Create);
app.Add(CaptureCommand.Create);
app.Add(OutboxCommand.Create);
app.Add(ConfigCommand.Create);
app.Add(AuditCommand.Create);
app.Add(EnrolCommand.Create);
app.Add(KeyCommand.Create);
// The imaging branch's offline focus-stacking command (no station needed).
app.Add(globals => new StackCommand(globals.Json));
return await app.RunAsync(args);
