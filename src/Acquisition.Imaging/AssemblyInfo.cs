using System.Runtime.CompilerServices;

// The tests check internal state sizes (memory must not grow with the number of slices).
[assembly: InternalsVisibleTo("Acquisition.Imaging.Tests")]

// The bench profiles the stacker stage by stage.
[assembly: InternalsVisibleTo("acquisition-bench")]
