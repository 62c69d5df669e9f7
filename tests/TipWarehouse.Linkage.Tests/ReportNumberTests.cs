namespace TipWarehouse.Linkage.Tests;

public sealed class ReportNumberTests
{
    [Theory]
    [InlineData("DEN-2006-000123", "DEN2006000123")]
    [InlineData("den-2006-000123", "DEN2006000123")]
    [InlineData("DEN2006-000123", "DEN2006000123")]
    [InlineData(" DEN-2006000123 ", "DEN2006000123")]
    [InlineData("DEN 2006/000123", "DEN2006000123")]
    public void Case_and_separators_do_not_matter(string raw, string expected) =>
        Assert.Equal(expected, ReportNumber.Normalize(raw));

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("  ")]
    [InlineData("--/")]
    public void Blank_numbers_normalize_to_null(string? raw) => Assert.Null(ReportNumber.Normalize(raw));

    [Theory]
    [InlineData("DEN-2006-001023", "DEN2006000123")] // transposed digits
    [InlineData("DEN-2005-000123", "DEN2006000123")] // wrong year
    [InlineData("DEN-2007-000123", "DEN2006000123")]
    [InlineData("DEN-2006-00123", "DEN2006000123")] // a zero dropped
    public void Known_typing_errors_are_one_variant_away(string typed, string truth) =>
        Assert.Contains(truth, ReportNumber.TypingErrorVariants(ReportNumber.Normalize(typed)!));

    [Fact]
    public void Variants_exclude_the_number_itself_and_unrelated_numbers()
    {
        var variants = ReportNumber.TypingErrorVariants("DEN2006000123");
        Assert.DoesNotContain("DEN2006000123", variants);
        Assert.DoesNotContain("DEN2006000124", variants);
        Assert.DoesNotContain("DEN2008000123", variants);
        Assert.Equal(variants.Order(StringComparer.Ordinal), variants);
    }
}
