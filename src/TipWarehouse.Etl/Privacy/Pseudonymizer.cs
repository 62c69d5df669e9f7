using System.Security.Cryptography;
using System.Text;
using TipWarehouse.Core;

namespace TipWarehouse.Etl.Privacy;

/// <summary>The secret key of the keyed pseudonyms: from <c>TIPW_PSEUDONYM_KEY</c> or the home's owner-only key file; never written to the warehouse.</summary>
public static class PseudonymKey
{
    /// <summary>The environment variable that overrides the key file (64 hex digits or base64 of 32 bytes).</summary>
    public const string EnvironmentVariable = "TIPW_PSEUDONYM_KEY";

    /// <summary>The key file under a home's secrets folder.</summary>
    public static string FilePath(TipwHome home)
    {
        ArgumentNullException.ThrowIfNull(home);
        return Path.Combine(home.SecretsDirectory, "pseudonym.key");
    }

    /// <summary>Loads the key: the environment variable wins, else the key file, else a clear error.</summary>
    public static byte[] Load(TipwHome home, Func<string, string?>? environment = null)
    {
        var fromEnv = (environment ?? Environment.GetEnvironmentVariable)(EnvironmentVariable);
        if (!string.IsNullOrWhiteSpace(fromEnv))
        {
            return Decode(fromEnv.Trim()) ?? throw new TipwException($"{EnvironmentVariable} must be 64 hex digits or the base64 of at least 32 bytes.");
        }

        var path = FilePath(home);
        if (!File.Exists(path))
        {
            throw new TipwException($"No pseudonymization key: {path} is missing. Run 'tipw init --home {home.Root}' or set {EnvironmentVariable}.");
        }

        if (!OperatingSystem.IsWindows())
        {
            var mode = File.GetUnixFileMode(path);
            if ((mode & (UnixFileMode.GroupRead | UnixFileMode.GroupWrite | UnixFileMode.OtherRead | UnixFileMode.OtherWrite)) != 0)
            {
                throw new TipwException($"The pseudonymization key {path} is readable by other users; run 'chmod 600 {path}'.");
            }
        }

        var bytes = File.ReadAllBytes(path);
        if (bytes.Length >= 32 && bytes.Length <= 64 && Decode(Encoding.ASCII.GetString(bytes).Trim()) is { } textKey && IsText(bytes))
        {
            return textKey;
        }

        if (bytes.Length < 32)
        {
            throw new TipwException($"The pseudonymization key {path} has {bytes.Length} bytes; it needs at least 32.");
        }

        return bytes;
    }

    private static bool IsText(byte[] bytes) => bytes.All(b => b is >= 0x20 and < 0x7F or (byte)'\n' or (byte)'\r');

    private static byte[]? Decode(string text)
    {
        if (text.Length == 64 && text.All(Uri.IsHexDigit))
        {
            return Convert.FromHexString(text);
        }

        try
        {
            var bytes = Convert.FromBase64String(text);
            return bytes.Length >= 32 ? bytes : null;
        }
        catch (FormatException)
        {
            return null;
        }
    }
}

/// <summary>Keyed HMAC-SHA256 pseudonyms (64 letters a–p, one per nibble) of normalized DNI, name and phonetic name key; the same person gets the same pseudonyms in every source.</summary>
public sealed class Pseudonymizer
{
    private readonly byte[] _key;

    public Pseudonymizer(byte[] key)
    {
        ArgumentNullException.ThrowIfNull(key);
        if (key.Length < 32)
        {
            throw new ArgumentException("The pseudonymization key needs at least 32 bytes.", nameof(key));
        }

        _key = key;
    }

    /// <summary>The pseudonym of a DNI (digits only, left-padded to 8); null when it has no digits.</summary>
    public string? Dni(ReadOnlySpan<char> dni)
    {
        Span<char> digits = stackalloc char[16];
        var n = 0;
        foreach (var c in dni)
        {
            if (char.IsAsciiDigit(c))
            {
                if (n == digits.Length)
                {
                    return null;
                }

                digits[n++] = c;
            }
        }

        if (n == 0)
        {
            return null;
        }

        Span<char> padded = stackalloc char[Math.Max(8, n)];
        padded[..(padded.Length - n)].Fill('0');
        digits[..n].CopyTo(padded[(padded.Length - n)..]);
        return Hash("dni", padded);
    }

    /// <summary>The pseudonym of a normalized full name (given names then surnames); null when empty.</summary>
    public string? Name(string? fullName)
    {
        var normalized = NameNormalizer.Normalize(fullName);
        return normalized.Length == 0 ? null : Hash("name", normalized);
    }

    /// <summary>The pseudonym of the phonetic key of a name (first given name and the two surnames, Spanish sound classes).</summary>
    public string? PhoneticName(string? fullName)
    {
        var key = NameNormalizer.PhoneticKey(fullName);
        return key.Length == 0 ? null : Hash("phon", key);
    }

    private string Hash(string domain, ReadOnlySpan<char> value)
    {
        var max = domain.Length + 1 + Encoding.UTF8.GetMaxByteCount(value.Length);
        Span<byte> input = max <= 512 ? stackalloc byte[max] : new byte[max];
        var n = Encoding.ASCII.GetBytes(domain, input);
        input[n++] = 0;
        n += Encoding.UTF8.GetBytes(value, input[n..]);
        Span<byte> mac = stackalloc byte[32];
        HMACSHA256.HashData(_key, input[..n], mac);

        // One letter a..p per 4-bit nibble (64 characters, like hex but without digits): no run of a pseudonym can
        // ever read as a DNI number in the warehouse file.
        return string.Create(64, mac.ToArray(), static (chars, bytes) =>
        {
            for (var i = 0; i < bytes.Length; i++)
            {
                chars[2 * i] = (char)('a' + (bytes[i] >> 4));
                chars[(2 * i) + 1] = (char)('a' + (bytes[i] & 0xF));
            }
        });
    }
}

/// <summary>Name normalization shared by every source: upper case, no accents, letters only, single spaces; and a Spanish phonetic key.</summary>
public static class NameNormalizer
{
    /// <summary>Upper case, accents and punctuation removed, whitespace collapsed: "María  Quispe-Huamán" → "MARIA QUISPE HUAMAN".</summary>
    public static string Normalize(string? name)
    {
        if (string.IsNullOrWhiteSpace(name))
        {
            return "";
        }

        var folded = TextFolding.RemoveAccents(name);
        var builder = new StringBuilder(folded.Length);
        var space = false;
        foreach (var c in folded)
        {
            if (char.IsLetter(c))
            {
                if (space && builder.Length > 0)
                {
                    builder.Append(' ');
                }

                space = false;
                builder.Append(char.ToUpperInvariant(c));
            }
            else if (c != '\'')
            {
                space = true;
            }
        }

        return builder.ToString();
    }

    /// <summary>The tokens of a normalized name.</summary>
    public static string[] Tokens(string? name) => Normalize(name).Split(' ', StringSplitOptions.RemoveEmptyEntries);

    /// <summary>A phonetic key robust to the spelling variations clerks make (b/v, s/z/c, y/i/ll, silent h, doubled letters, a dropped second given name).</summary>
    public static string PhoneticKey(string? fullName)
    {
        var tokens = Tokens(fullName);
        if (tokens.Length == 0)
        {
            return "";
        }

        // Given names come first and two surnames last; a second given name is often dropped, so it is left out.
        string[] kept = tokens.Length >= 3 ? [tokens[0], tokens[^2], tokens[^1]] : tokens;
        return string.Join(' ', kept.Select(Phonetic));
    }

    /// <summary>The Spanish sound classes of one normalized token.</summary>
    public static string Phonetic(string token)
    {
        ArgumentNullException.ThrowIfNull(token);
        Span<char> buffer = token.Length <= 256 ? stackalloc char[token.Length] : new char[token.Length];
        var n = Phonetic(token, buffer);
        return new string(buffer[..n]);
    }

    /// <summary>Writes the Spanish sound classes of one normalized token into <paramref name="destination"/> (at least as long as the token); returns the length.</summary>
    public static int Phonetic(ReadOnlySpan<char> token, Span<char> destination)
    {
        var n = 0;
        for (var i = 0; i < token.Length; i++)
        {
            var c = token[i];
            var next = i + 1 < token.Length ? token[i + 1] : '\0';
            char mapped;
            switch (c)
            {
                case 'H':
                    if (i > 0 && token[i - 1] == 'C' && n > 0)
                    {
                        destination[n - 1] = 'X';
                    }

                    continue;
                case 'V':
                case 'W':
                    mapped = 'B';
                    break;
                case 'Z':
                    mapped = 'S';
                    break;
                case 'C':
                    mapped = next is 'E' or 'I' ? 'S' : 'K';
                    break;
                case 'Q':
                    mapped = 'K';
                    if (next == 'U')
                    {
                        i++;
                    }

                    break;
                case 'G':
                    mapped = next is 'E' or 'I' ? 'J' : 'G';
                    break;
                case 'Y':
                    mapped = 'I';
                    break;
                case 'L':
                    mapped = next == 'L' ? 'I' : 'L';
                    if (next == 'L')
                    {
                        i++;
                    }

                    break;
                case 'Ñ':
                    mapped = 'N';
                    break;
                case 'X':
                    mapped = 'K';
                    break;
                default:
                    mapped = c;
                    break;
            }

            if (n == 0 || destination[n - 1] != mapped)
            {
                destination[n++] = mapped;
            }
        }

        return n;
    }
}

