using TipWarehouse.Core;
using TipWarehouse.Etl.Privacy;

namespace TipWarehouse.Etl.Tests;

public sealed class PseudonymizerTests
{
    private static readonly byte[] s_key = [.. Enumerable.Range(1, 32).Select(i => (byte)i)];
    private readonly Pseudonymizer _p = new(s_key);

    [Fact]
    public void Same_person_gets_the_same_pseudonyms_in_every_source()
    {
        // Hotline writes one field, police and prosecution write given names and surnames apart, with other spelling.
        var hotline = "María Rosa Quispe Huamán";
        var police = string.Join(' ', "MARIA ROSA", "QUISPE HUAMAN");
        Assert.Equal(_p.Name(hotline), _p.Name(police));
        Assert.Equal(_p.Dni("41234567"), _p.Dni(" 41.234.567 "));
        Assert.Matches("^[a-p]{64}$", _p.Name(hotline));
    }

    [Fact]
    public void Phonetic_pseudonym_survives_clerk_spelling_variations()
    {
        var original = _p.PhoneticName("Yesenia Vilca Ccahuana");
        Assert.Equal(original, _p.PhoneticName("YESENIA BILCA CAHUANA"));
        Assert.Equal(original, _p.PhoneticName("Yesenia Milagros Vilca Ccahuana"));
        Assert.NotEqual(_p.Name("Yesenia Vilca Ccahuana"), _p.Name("YESENIA BILCA CAHUANA"));
        Assert.NotEqual(original, _p.PhoneticName("Rosa Vilca Ccahuana"));
    }

    [Fact]
    public void Pseudonyms_depend_on_the_key_and_the_kind_of_value()
    {
        var other = new Pseudonymizer([.. Enumerable.Repeat((byte)7, 32)]);
        Assert.NotEqual(_p.Dni("41234567"), other.Dni("41234567"));
        Assert.NotEqual(_p.Dni("41234567"), _p.Name("41234567"));
        Assert.Null(_p.Dni("   "));
        Assert.Null(_p.Name(" - "));
    }

    [Fact]
    public void Narrative_loses_the_victims_name_and_dni_like_numbers()
    {
        var text = NarrativeScrubber.Scrub("Refiere que su hija María QUISPE (DNI 41234567) trabaja en Puno, cobra 950 soles.", ["Maria Quispe"]);
        Assert.Equal("Refiere que su hija [NOMBRE] [NOMBRE] (DNI [DNI]) trabaja en Puno, cobra 950 soles.", text);
    }

    [Fact]
    public void Key_comes_from_the_environment_before_the_key_file()
    {
        var home = new TipwHome(Directory.CreateTempSubdirectory("tipw-key-").FullName);
        try
        {
            Assert.Throws<TipwException>(() => PseudonymKey.Load(home, _ => null));
            var hex = Convert.ToHexString(s_key);
            Assert.Equal(s_key, PseudonymKey.Load(home, name => name == PseudonymKey.EnvironmentVariable ? hex : null));

            home.EnsureCreated();
            var path = PseudonymKey.FilePath(home);
            File.WriteAllBytes(path, [.. Enumerable.Repeat((byte)9, 32)]);
            if (!OperatingSystem.IsWindows())
            {
                File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.OtherRead);
                var ex = Assert.Throws<TipwException>(() => PseudonymKey.Load(home, _ => null));
                Assert.Contains("chmod 600", ex.Message, StringComparison.Ordinal);
                File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
            }

            Assert.Equal(Enumerable.Repeat((byte)9, 32), PseudonymKey.Load(home, _ => null));
        }
        finally
        {
            Directory.Delete(home.Root, recursive: true);
        }
    }
}
