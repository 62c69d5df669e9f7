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

    [Theory]
    [InlineData("DEN2006001023")]
    [InlineData("DEN2006000123")]
    [InlineData("DEN200600123")]
    [InlineData("0123452006")]
    [InlineData("19892040")]
    public void Origins_are_the_numbers_whose_variants_hold_the_number(string number)
    {
        var origins = ReportNumber.TypingErrorOrigins(number);
        Assert.DoesNotContain(number, origins);
        Assert.All(origins, origin => Assert.Contains(number, ReportNumber.TypingErrorVariants(origin)));
    }

    [Fact]
    public void Origins_invert_the_variants_on_random_numbers()
    {
        // Both directions on random numbers of letters, digits, zero runs and years: R is a variant of C exactly when C is an origin of R.
        var random = new Random(20061216);
        string[] pieces = ["DEN", "A", "0", "00", "1", "7", "12", "1989", "1990", "2006", "2039", "2040", "0199", "9"];
        for (var n = 0; n < 3000; n++)
        {
            var number = string.Concat(Enumerable.Range(0, random.Next(1, 6)).Select(_ => pieces[random.Next(pieces.Length)]));
            foreach (var variant in ReportNumber.TypingErrorVariants(number))
            {
                Assert.Contains(number, ReportNumber.TypingErrorOrigins(variant));
            }

            foreach (var origin in ReportNumber.TypingErrorOrigins(number))
            {
                Assert.Contains(number, ReportNumber.TypingErrorVariants(origin));
            }
        }
    }

    [Theory]
    [InlineData("DEN2006000123")]
    [InlineData("X")]
    public void A_normalized_number_normalizes_to_itself(string number) => Assert.Same(number, ReportNumber.Normalize(number));
}
