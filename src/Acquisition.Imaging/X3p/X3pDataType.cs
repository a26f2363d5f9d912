namespace Acquisition.Imaging.X3p;

/// <summary>ISO 5436-2 point data types of the Z axis; the letter is what main.xml carries.</summary>
public enum X3pDataType
{
    /// <summary>"I": int16, scaled by the axis increment and offset.</summary>
    Int16,

    /// <summary>"L": int32, scaled by the axis increment and offset.</summary>
    Int32,

    /// <summary>"F": IEEE float32, metres.</summary>
    Float32,

    /// <summary>"D": IEEE float64, metres.</summary>
    Float64,
}
