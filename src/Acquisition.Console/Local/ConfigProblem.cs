namespace Acquisition.ServiceConsole.Local;

/// <summary>One thing wrong in a configuration file: the key path (as "Stage:BaudRate"), what is wrong, what to do.</summary>
internal sealed record ConfigProblem(string Path, string Message, bool IsError = true);
