using Acquisition.Workflow.Recipes;

namespace Acquisition.Workflow.Tests;

public sealed class CalibreTableTests
{
    private static readonly CalibreTable Table = RecipeLoader.LoadDirectory(TestPaths.FirmwareConfig);

    [Theory]
    [InlineData("9mm Luger", "9mm Luger")]
    [InlineData("9 MM LUGER", "9mm Luger")]
    [InlineData("9x19mm Parabellum", "9mm Luger")]
    [InlineData(".380 ACP", ".380 Auto")]
    [InlineData("45 ACP", ".45 Auto")]
    [InlineData("7.62×39", "7.62x39")]
    public void Names_and_aliases_resolve_to_the_canonical_calibre(string typed, string canonical) =>
        Assert.Equal(canonical, Table.Resolve(typed).Name);

    [Fact]
    public void An_unknown_calibre_names_the_close_matches()
    {
        var ex = Assert.Throws<UnknownCalibreException>(() => Table.Resolve("9mm Lugre"));
        Assert.Equal("9mm Luger", ex.CloseMatches[0]);
        Assert.Contains("Did you mean: '9mm Luger'", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_calibre_nothing_like_any_entry_says_where_calibres_come_from()
    {
        var ex = Assert.Throws<UnknownCalibreException>(() => Table.Resolve(".50 BMG"));
        Assert.Empty(ex.CloseMatches);
        Assert.Contains("calibres.json", ex.Message, StringComparison.Ordinal);
    }
}
