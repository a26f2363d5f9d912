namespace Acquisition.Console.Stack;

/// <summary>Bad input to `acq stack`: the message names what is wrong and what to do.</summary>
public sealed class StackInputException(string message, Exception? inner = null) : Exception(message, inner);
