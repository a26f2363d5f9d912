// acq: the service engineers' console. Commands live in their own classes; AcqRootCommand registers them.
using Acquisition.Console;

return await AcqRootCommand.Create().Parse(args).InvokeAsync();
