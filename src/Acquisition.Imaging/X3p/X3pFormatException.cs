namespace Acquisition.Imaging.X3p;

/// <summary>An X3P container or its main.xml is not usable; the message names the part and what is wrong.</summary>
public sealed class X3pFormatException : Exception
{
    public X3pFormatException(string message, Exception? inner = null)
        : base(message, inner)
    {
    }
}
