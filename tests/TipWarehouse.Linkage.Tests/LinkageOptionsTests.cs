using TipWarehouse.Core;

namespace TipWarehouse.Linkage.Tests;

public sealed class LinkageOptionsTests
{
    [Fact]
    public void Settings_override_thresholds_windows_and_probabilities()
    {
        var options = LinkageOptions.FromSettings(new Dictionary<string, string>
        {
            ["estimate"] = "configured",
            ["hotline_police.link_threshold"] = "12.5",
            ["police_prosecution.window_after_days"] = "200",
            ["police_prosecution.m.dni"] = "0.1, 0.9",
            ["memory_limit"] = "2GB",
        });
        Assert.False(options.EstimateByEm);
        Assert.Equal("2GB", options.MemoryLimit);
        Assert.Equal("512MB", new LinkageOptions().MemoryLimit);
        Assert.Equal(12.5, options.HotlinePolice.LinkThreshold);
        Assert.Equal(200, options.PoliceProsecution.WindowAfterDays);
        var dni = ComparisonFields.For(LinkTypes.PoliceProsecution, options.PoliceProsecution).Single(f => f.Name == "dni");
        Assert.Equal([0.1, 0.9], dni.DefaultM);
    }

    [Theory]
    [InlineData("hotline_police.link_treshold", "10", "unknown linkage setting")]
    [InlineData("hotline_police.link_threshold", "ten", "not a number")]
    [InlineData("hotline_police.review_threshold", "50", "is above")]
    [InlineData("police_prosecution.m.dni", "0.5", "needs 2")]
    [InlineData("police_prosecution.m.shoe_size", "0.5,0.5", "names no comparison field")]
    [InlineData("memory_limit", "lots", "is not a size")]
    public void Bad_settings_are_refused_with_the_key(string key, string value, string message)
    {
        var ex = Assert.Throws<TipwException>(() => LinkageOptions.FromSettings(new Dictionary<string, string> { [key] = value }));
        Assert.Contains(message, ex.Message);
        Assert.Contains("linkage.yaml", ex.Message);
    }
}
