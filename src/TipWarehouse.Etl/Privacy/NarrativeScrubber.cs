using System.Buffers;
using System.Globalization;
using System.Text;

namespace TipWarehouse.Etl.Privacy;

/// <summary>
/// Removes PII from free text before staging, without relying on the name field: names found by the record's own name
/// columns, by context ("de nombre", "se llama", "llamada", a kinship or person noun, a name next to another), by casing
/// (a capitalised word in an upper-case narrative) and by the shipped lexicon (typo-tolerant); phone numbers, addresses
/// with a number and document numbers of any length. One pass over the text with hash-set lookups of folded words.
/// </summary>
public static class NarrativeScrubber
{
    /// <summary>The name placeholder.</summary>
    public const string NamePlaceholder = "[NOMBRE]";

    /// <summary>The placeholder of a document number (DNI, passport, carné) or of a bare 8-digit number.</summary>
    public const string DniPlaceholder = "[DNI]";

    /// <summary>The phone number placeholder.</summary>
    public const string PhonePlaceholder = "[TELEFONO]";

    /// <summary>The address placeholder (a street, block or lot with its number).</summary>
    public const string AddressPlaceholder = "[DIRECCION]";

    private const int MaxWord = 48;

    // Folded phrases after which the next word is a name. LLAMADA/LLAMADO are checked separately (a phone call, a venue).
    private static readonly string[][] s_triggers =
    [
        ["DE", "NOMBRE"], ["DE", "NOMBRES"], ["SE", "LLAMA"], ["SE", "LLAMABA"], ["ME", "LLAMO"], ["NOMBRE", "ES"],
        ["APODADA"], ["APODADO"], ["ALIAS"], ["CONOCIDA", "COMO"], ["CONOCIDO", "COMO"], ["IDENTIFICADA", "COMO"],
        ["IDENTIFICADO", "COMO"], ["DE", "APELLIDO"], ["DE", "APELLIDOS"], ["RESPONDE", "AL", "NOMBRE", "DE"],
        ["LLAMADA"], ["LLAMADO"], ["LLAMADAS"], ["LLAMADOS"], ["NOMBRADA"], ["NOMBRADO"],
    ];

    // Kinship and person nouns: a name often follows ("su hija Karina", "una joven Yesenia", "la Sra. Rosa").
    private static readonly HashSet<string> s_personNouns = new(StringComparer.Ordinal)
    {
        "HIJA", "HIJO", "HIJASTRA", "HIJASTRO", "NIETA", "NIETO", "SOBRINA", "SOBRINO", "HERMANA", "HERMANO", "HERMANITA",
        "HERMANITO", "PRIMA", "PRIMO", "MADRE", "PADRE", "MAMA", "PAPA", "TIA", "TIO", "ABUELA", "ABUELO", "CUÑADA",
        "CUÑADO", "CUNADA", "CUNADO", "ESPOSA", "ESPOSO", "PAREJA", "CONVIVIENTE", "ENAMORADA", "ENAMORADO", "NOVIA",
        "NOVIO", "AMIGA", "AMIGO", "VECINA", "VECINO", "MENOR", "JOVEN", "JOVENCITA", "CHICA", "CHICO", "NIÑA", "NIÑO",
        "NINA", "NINO", "ADOLESCENTE", "MUJER", "HOMBRE", "SEÑORA", "SEÑOR", "SEÑORITA", "SENORA", "SENOR", "SENORITA",
        "SRA", "SR", "SRTA", "DOÑA", "DONA", "DON", "MUCHACHA", "MUCHACHO", "VICTIMA", "AGRAVIADA", "AGRAVIADO",
        "DENUNCIANTE", "IMPUTADO", "IMPUTADA", "TRATANTE", "DUEÑO", "DUEÑA", "DUENO", "DUENA", "JEFE", "JEFA", "PATRON",
        "PATRONA", "ENCARGADA", "ENCARGADO", "CAPTADORA", "CAPTADOR", "SUJETO", "SUJETA", "COMPAÑERA", "COMPAÑERO",
        "COMPANERA", "COMPANERO", "NUERA", "YERNO", "SUEGRA", "SUEGRO", "MADRASTRA", "PADRASTRO", "AHIJADA", "AHIJADO",
        "LLAMANTE", "HIJITA", "HIJITO", "SOBRINITA", "NIETECITA",
    };

    // Words before a capitalised word that make it a place or a venue, not a person ("a Piura", "bar Tentación").
    private static readonly HashSet<string> s_placeIntroducers = new(StringComparer.Ordinal)
    {
        "EN", "A", "DE", "DEL", "AL", "HACIA", "DESDE", "HASTA", "PARA", "POR", "EL", "LA", "LOS", "LAS", "SAN", "SANTA",
        "SANTO", "BAR", "LOCAL", "DISCOTECA", "HOTEL", "HOSTAL", "RESTAURANTE", "CANTINA", "CLUB", "PROSTIBULO", "PUEBLO",
        "CASERIO", "COMUNIDAD", "ANEXO", "MINA", "CAMPAMENTO", "EMPRESA", "AGENCIA", "CALLE", "AVENIDA", "AV", "JIRON",
        "JR", "DISTRITO", "PROVINCIA", "DEPARTAMENTO", "REGION", "CIUDAD", "CARRETERA", "MERCADO", "COLEGIO", "PLAZA",
        "PARQUE", "URBANIZACION", "URB", "ASENTAMIENTO", "SECTOR", "ZONA", "BARRIO", "FUNDO", "HACIENDA", "CHACRA", "RIO",
        "LAGO", "CERRO", "TERMINAL", "NEGOCIO", "PENSION", "SALON", "KARAOKE", "NIGHT", "VIRGEN", "CAMIONETA", "CARRO",
        "AUTO", "COMBI", "MOTO", "BUS", "MARCA", "TAXI", "CAMION", "LANCHA", "EMBARCACION",
    };

    // Kinship nouns: "la madre de Kelly", "el hermano de Jesús" name the relative after DE.
    private static readonly HashSet<string> s_kinNouns = new(StringComparer.Ordinal)
    {
        "HIJA", "HIJO", "HIJASTRA", "HIJASTRO", "NIETA", "NIETO", "SOBRINA", "SOBRINO", "HERMANA", "HERMANO", "PRIMA", "PRIMO",
        "MADRE", "PADRE", "MAMA", "PAPA", "TIA", "TIO", "ABUELA", "ABUELO", "CUÑADA", "CUÑADO", "CUNADA", "CUNADO", "ESPOSA",
        "ESPOSO", "PAREJA", "CONVIVIENTE", "ENAMORADA", "ENAMORADO", "NOVIA", "NOVIO", "AMIGA", "AMIGO", "VECINA", "VECINO",
        "COMPAÑERA", "COMPAÑERO", "COMPANERA", "COMPANERO", "SUEGRA", "SUEGRO", "MADRASTRA", "PADRASTRO",
    };

    // Before LLAMADA/LLAMADO these make it a phone call or a named venue ("la llamada se corta", "un local llamado X").
    private static readonly HashSet<string> s_callArticles = new(StringComparer.Ordinal)
    {
        "LA", "UNA", "OTRA", "ESTA", "ESA", "SU", "CADA", "PRIMERA", "ULTIMA", "EL", "UN", "OTRO", "ESTE", "ESE", "MI", "TU",
    };

    private static readonly HashSet<string> s_callOrVenue = new(StringComparer.Ordinal)
    {
        "LOCAL", "BAR",
        "DISCOTECA", "HOTEL", "HOSTAL", "RESTAURANTE", "CANTINA", "CLUB", "PROSTIBULO", "PUEBLO", "CASERIO", "LUGAR",
        "NEGOCIO", "EMPRESA", "AGENCIA", "CALLE", "ZONA", "SECTOR", "BARRIO", "CENTRO", "CAMPAMENTO", "MINA", "FUNDO",
        "CHACRA", "COMUNIDAD", "ANEXO", "PARAJE", "SITIO", "PENSION", "SALON", "KARAOKE", "NIGHT", "PROGRAMA", "RADIO",
    };

    private static readonly HashSet<string> s_documentWords = new(StringComparer.Ordinal)
    {
        "DNI", "DOCUMENTO", "PASAPORTE", "CARNE", "CARNET", "LIBRETA", "IDENTIDAD", "RUC", "PARTIDA",
    };

    private static readonly HashSet<string> s_phoneWords = new(StringComparer.Ordinal)
    {
        "TELEFONO", "TELEFONOS", "TELF", "TEL", "TLF", "CEL", "CELULAR", "NUMERO", "NUM", "FONO", "WHATSAPP", "WSP", "MOVIL",
        "FIJO", "LLAMAR", "CELL", "NRO",
    };

    // Institutional references that are not a person's: a report or file number stays.
    private static readonly HashSet<string> s_referenceWords = new(StringComparer.Ordinal)
    {
        "DENUNCIA", "EXPEDIENTE", "OFICIO", "INFORME", "ATESTADO", "PARTE", "CASO", "CARPETA", "RESOLUCION", "LEY", "ARTICULO", "ART",
    };

    private static readonly HashSet<string> s_addressStarts = new(StringComparer.Ordinal)
    {
        "AV", "AVENIDA", "JR", "JIRON", "CALLE", "CA", "PSJE", "PASAJE", "PJE", "MZ", "MZA", "MANZANA", "LT", "LOTE", "URB",
        "URBANIZACION", "AAHH", "PROLONGACION", "PROL", "CARRETERA", "KM",
    };

    // Words allowed inside an address between its keyword and its number.
    private static readonly HashSet<string> s_addressGlue = new(StringComparer.Ordinal)
    {
        "DE", "DEL", "LA", "LAS", "LOS", "EL", "SAN", "SANTA", "Y", "NRO", "NUMERO", "NO", "N", "CUADRA", "CDRA", "ALTURA",
        "MZ", "MZA", "MANZANA", "LT", "LOTE", "DPTO", "DEPARTAMENTO", "INT", "INTERIOR", "PISO", "BLOCK", "SN", "S",
    };

    /// <summary>Returns <paramref name="text"/> with PII replaced by placeholders: names (of <paramref name="names"/>, by context, by casing and by the lexicon), phones, addresses with a number and document numbers.</summary>
    public static string? Scrub(string? text, IEnumerable<string?> names) => Scrub(text, names, NameLexicon.Default);

    /// <summary>Scrubs with a given lexicon (tests build small ones).</summary>
    public static string? Scrub(string? text, IEnumerable<string?> names, NameLexicon lexicon)
    {
        ArgumentNullException.ThrowIfNull(names);
        ArgumentNullException.ThrowIfNull(lexicon);
        if (string.IsNullOrEmpty(text))
        {
            return text;
        }

        var state = new ScrubState(text, lexicon);
        try
        {
            state.Run(names);
            return state.Emit();
        }
        finally
        {
            state.Return();
        }
    }

    /// <summary>The (start, length) of each word the scrubber replaces by <see cref="NamePlaceholder"/> (for measuring recall and precision).</summary>
    internal static List<(int Start, int Length)> NameTokens(string text, IEnumerable<string?> names, NameLexicon lexicon)
    {
        var state = new ScrubState(text, lexicon);
        try
        {
            state.Run(names);
            return state.NameTokens();
        }
        finally
        {
            state.Return();
        }
    }

    /// <summary>One scrub: the tokens of the text, their folded forms and classes, and what replaces each.</summary>
    private sealed class ScrubState
    {
        private readonly string _text;
        private readonly NameLexicon _lexicon;
        private readonly int[] _start;
        private readonly int[] _length;
        private readonly bool[] _isWord;
        private readonly int[] _foldStart;
        private readonly int[] _foldLength;
        private readonly WordClass[] _class;
        private readonly bool[] _protected;
        private readonly byte[] _replace; // 0 keep, 1 name, 2 dni, 3 phone, 4 address (4 also swallows the gap before it)
        private readonly char[] _folded;
        private int _count;
        private bool _upperText;

        public ScrubState(string text, NameLexicon lexicon)
        {
            _text = text;
            _lexicon = lexicon;
            var max = (text.Length / 2) + 2;
            _start = ArrayPool<int>.Shared.Rent(max);
            _length = ArrayPool<int>.Shared.Rent(max);
            _foldStart = ArrayPool<int>.Shared.Rent(max);
            _foldLength = ArrayPool<int>.Shared.Rent(max);
            _isWord = ArrayPool<bool>.Shared.Rent(max);
            _protected = ArrayPool<bool>.Shared.Rent(max);
            _replace = ArrayPool<byte>.Shared.Rent(max);
            _class = ArrayPool<WordClass>.Shared.Rent(max);
            _folded = ArrayPool<char>.Shared.Rent(text.Length + 1);
        }

        public void Return()
        {
            ArrayPool<int>.Shared.Return(_start);
            ArrayPool<int>.Shared.Return(_length);
            ArrayPool<int>.Shared.Return(_foldStart);
            ArrayPool<int>.Shared.Return(_foldLength);
            ArrayPool<bool>.Shared.Return(_isWord);
            ArrayPool<bool>.Shared.Return(_protected);
            ArrayPool<byte>.Shared.Return(_replace);
            ArrayPool<WordClass>.Shared.Return(_class);
            ArrayPool<char>.Shared.Return(_folded);
        }

        private ReadOnlySpan<char> Folded(int t) => _folded.AsSpan(_foldStart[t], _foldLength[t]);

        private bool Is(int t, string folded) => t >= 0 && t < _count && _isWord[t] && Folded(t).SequenceEqual(folded);

        /// <summary>Like <see cref="Is"/>, and for words of five letters or more also with a letter typed twice ("nombrre", "noombre").</summary>
        private bool IsTyped(int t, string folded) =>
            Is(t, folded) || (folded.Length >= 5 && t >= 0 && t < _count && _isWord[t] && SameWithoutRepeats(Folded(t), folded));

        private static bool SameWithoutRepeats(ReadOnlySpan<char> typed, ReadOnlySpan<char> word)
        {
            int i = 0, j = 0;
            while (i < typed.Length && j < word.Length)
            {
                if (typed[i] != word[j])
                {
                    return false;
                }

                var c = typed[i];
                while (i < typed.Length && typed[i] == c)
                {
                    i++;
                }

                while (j < word.Length && word[j] == c)
                {
                    j++;
                }
            }

            return i == typed.Length && j == word.Length;
        }

        private bool Has(int t, WordClass cls) => (_class[t] & cls) != 0;

        private bool IsCommon(int t) => Has(t, WordClass.Common);

        /// <summary>Only spaces between token a and the next token b.</summary>
        private bool Adjacent(int a, int b)
        {
            if (b >= _count || a < 0)
            {
                return false;
            }

            for (var i = _start[a] + _length[a]; i < _start[b]; i++)
            {
                if (_text[i] != ' ')
                {
                    return false;
                }
            }

            return true;
        }

        /// <summary>Only spaces, a colon, quotes or a comma between the two tokens (a trigger and its name).</summary>
        private bool Follows(int a, int b)
        {
            if (b >= _count || a < 0)
            {
                return false;
            }

            for (var i = _start[a] + _length[a]; i < _start[b]; i++)
            {
                if (_text[i] is not (' ' or ':' or '"' or '\'' or ',' or '.' or '«' or '“'))
                {
                    return false;
                }
            }

            return true;
        }

        private bool SentenceStart(int t)
        {
            for (var i = _start[t] - 1; i >= 0; i--)
            {
                var c = _text[i];
                if (c is '.' or '!' or '?' or '\n' or '\r' or ';' or ':' or '-' or '(')
                {
                    return true;
                }

                if (!char.IsWhiteSpace(c) && c is not ('"' or '\'' or '«' or '“' or '¿' or '¡'))
                {
                    return false;
                }
            }

            return true;
        }

        private bool Capitalised(int t) => char.IsUpper(_text[_start[t]]) && _length[t] > 1 && char.IsLower(_text[_start[t] + 1]);

        private bool AllCaps(int t)
        {
            for (var i = _start[t]; i < _start[t] + _length[t]; i++)
            {
                if (char.IsLower(_text[i]))
                {
                    return false;
                }
            }

            return true;
        }

        public void Run(IEnumerable<string?> names)
        {
            Tokenize();
            ProtectPlaces();
            MarkFieldNames(names);
            MarkLexiconNames();
            MarkContexts();
            MarkCasing();
            Extend();
            MarkNumbers();
        }

        private void Tokenize()
        {
            var text = _text;
            var upper = 0;
            var lower = 0;
            var foldAt = 0;
            var i = 0;
            while (i < text.Length)
            {
                var c = text[i];
                if (char.IsLetter(c))
                {
                    var s = i;
                    while (i < text.Length && (char.IsLetter(text[i]) || CharUnicodeInfo.GetUnicodeCategory(text[i]) == UnicodeCategory.NonSpacingMark))
                    {
                        if (char.IsUpper(text[i]))
                        {
                            upper++;
                        }
                        else if (char.IsLower(text[i]))
                        {
                            lower++;
                        }

                        i++;
                    }

                    var n = NameLexicon.Fold(text.AsSpan(s, i - s), _folded.AsSpan(foldAt, Math.Min(i - s, MaxWord)));
                    Add(s, i - s, true, foldAt, n);
                    _class[_count - 1] = _lexicon.Classify(_folded.AsSpan(foldAt, n));
                    foldAt += n;
                }
                else if (char.IsAsciiDigit(c))
                {
                    var s = i;
                    while (i < text.Length && char.IsAsciiDigit(text[i]))
                    {
                        i++;
                    }

                    Add(s, i - s, false, foldAt, 0);
                    _class[_count - 1] = WordClass.None;
                }
                else
                {
                    i++;
                }
            }

            // Casing says nothing in an upper-case narrative, nor in one typed all in lower case ("una joven llamada lizbeth").
            _upperText = (upper >= 10 && upper >= 4 * lower) || (lower >= 20 && upper == 0);
        }

        private void Add(int start, int length, bool word, int foldStart, int foldLength)
        {
            _start[_count] = start;
            _length[_count] = length;
            _isWord[_count] = word;
            _foldStart[_count] = foldStart;
            _foldLength[_count] = foldLength;
            _protected[_count] = false;
            _replace[_count] = 0;
            _count++;
        }

        /// <summary>Words of a UBIGEO place name of two or more words ("San Juan de Lurigancho", "Santa Rosa") and the saint's name after San/Santa are places, not persons.</summary>
        private void ProtectPlaces()
        {
            Span<char> phrase = stackalloc char[256];
            for (var t = 0; t < _count; t++)
            {
                if (!_isWord[t])
                {
                    continue;
                }

                var longest = _lexicon.PlacePhraseLength(Folded(t));
                var matched = 0;
                for (var len = Math.Min(longest, _count - t); len >= 2 && matched == 0; len--)
                {
                    var n = 0;
                    var ok = true;
                    for (var k = t; k < t + len && ok; k++)
                    {
                        ok = _isWord[k] && (k == t || Adjacent(k - 1, k)) && n + _foldLength[k] + 1 <= phrase.Length;
                        if (ok)
                        {
                            if (k > t)
                            {
                                phrase[n++] = ' ';
                            }

                            Folded(k).CopyTo(phrase[n..]);
                            n += _foldLength[k];
                        }
                    }

                    if (ok && _lexicon.IsPlacePhrase(phrase[..n]))
                    {
                        matched = len;
                    }
                }

                if (matched > 0)
                {
                    for (var k = t; k < t + matched; k++)
                    {
                        _protected[k] = true;
                    }

                    t += matched - 1;
                }
                else if ((Is(t, "SAN") || Is(t, "SANTA") || Is(t, "SANTO")) && t + 1 < _count && _isWord[t + 1] && Adjacent(t, t + 1) && !IsCommon(t + 1))
                {
                    _protected[t + 1] = true;
                    t++;
                }
            }
        }

        private void MarkFieldNames(IEnumerable<string?> names)
        {
            List<string>? tokens = null;
            foreach (var name in names)
            {
                foreach (var token in NameNormalizer.Tokens(name))
                {
                    if (token.Length >= 2)
                    {
                        (tokens ??= []).Add(token);
                    }
                }
            }

            if (tokens is null)
            {
                return;
            }

            // The record's own names, compared without the tilde of Ñ and by phonetic key (KARYNA for Karina).
            Span<char> plain = stackalloc char[MaxWord];
            for (var t = 0; t < _count; t++)
            {
                if (!_isWord[t] || IsCommon(t) || _foldLength[t] < 2)
                {
                    continue;
                }

                var f = Folded(t);
                var n = 0;
                foreach (var c in f)
                {
                    plain[n++] = c == 'Ñ' ? 'N' : c;
                }

                foreach (var token in tokens)
                {
                    if (plain[..n].SequenceEqual(token) || (n >= NameLexicon.MinFuzzyLength && SamePhonetic(plain[..n], token)))
                    {
                        _replace[t] = 1;
                        break;
                    }
                }
            }
        }

        private static bool SamePhonetic(ReadOnlySpan<char> a, string b)
        {
            Span<char> ka = stackalloc char[MaxWord];
            Span<char> kb = stackalloc char[MaxWord * 2];
            if (b.Length > kb.Length)
            {
                return false;
            }

            var na = NameNormalizer.Phonetic(a, ka);
            var nb = NameNormalizer.Phonetic(b, kb);
            return na >= NameLexicon.MinFuzzyLength && ka[..na].SequenceEqual(kb[..nb]);
        }

        /// <summary>A given name that is not a common word or a place is a name wherever it stands; so is an unknown word that sounds like one.</summary>
        private void MarkLexiconNames()
        {
            for (var t = 0; t < _count; t++)
            {
                if (!_isWord[t] || _protected[t] || _replace[t] != 0)
                {
                    continue;
                }

                var cls = _class[t];
                if ((cls & (WordClass.GivenName | WordClass.Ambiguous | WordClass.Common | WordClass.Place)) == WordClass.GivenName)
                {
                    _replace[t] = 1;
                }
                else if (cls == WordClass.None && _lexicon.SoundsLikeGivenName(Folded(t)) && (_upperText || !char.IsLower(_text[_start[t]])))
                {
                    _replace[t] = 1;
                }
            }
        }

        /// <summary>The word after "de nombre", "se llama", "llamada" (not a call, not a venue), and a name-like word after a kinship or person noun.</summary>
        private void MarkContexts()
        {
            for (var t = 0; t < _count; t++)
            {
                if (!_isWord[t])
                {
                    continue;
                }

                var after = TriggerEnd(t);
                if (after > 0 && after < _count && _isWord[after] && Follows(after - 1, after) && !IsCommon(after) && NameLike(after, afterPersonNoun: true))
                {
                    _replace[after] = 1;
                    ExtendFrom(after, strongRun: true);
                    continue;
                }

                if (s_personNouns.GetAlternateLookup<ReadOnlySpan<char>>().Contains(Folded(t)))
                {
                    var k = t + 1;
                    if (Is(k, "SRA") || Is(k, "SR") || Is(k, "SRTA") || Is(k, "DOÑA") || Is(k, "DONA") || Is(k, "DON"))
                    {
                        k++;
                    }

                    if (k < _count && _isWord[k] && Follows(k - 1, k) && !IsCommon(k) && !_protected[k] && NameLike(k, afterPersonNoun: true))
                    {
                        _replace[k] = 1;
                        ExtendFrom(k, strongRun: true);
                    }
                    else if ((Is(k, "DE") || Is(k, "DEL")) && s_kinNouns.GetAlternateLookup<ReadOnlySpan<char>>().Contains(Folded(t)) && k + 1 < _count
                        && _isWord[k + 1] && Adjacent(k, k + 1) && !IsCommon(k + 1) && !_protected[k + 1] && KinName(k + 1))
                    {
                        _replace[k + 1] = 1;
                        ExtendFrom(k + 1, strongRun: false);
                    }
                }
            }
        }

        /// <summary>After "la madre de": a name, not a place ("la hija de Puno").</summary>
        private bool KinName(int k)
        {
            var cls = _class[k];
            if ((cls & WordClass.Place) != 0 && (cls & WordClass.GivenName) == 0)
            {
                return false;
            }

            if ((cls & (WordClass.GivenName | WordClass.Surname)) != 0 || (cls == WordClass.None && _lexicon.SoundsLikeGivenName(Folded(k))))
            {
                return _upperText || !char.IsLower(_text[_start[k]]);
            }

            return !_upperText && cls == WordClass.None && Capitalised(k);
        }

        /// <summary>Index of the token after a trigger phrase that starts at <paramref name="t"/>, or 0.</summary>
        private int TriggerEnd(int t)
        {
            foreach (var trigger in s_triggers)
            {
                var ok = t + trigger.Length <= _count;
                for (var k = 0; k < trigger.Length && ok; k++)
                {
                    ok = IsTyped(t + k, trigger[k]) && (k == 0 || Follows(t + k - 1, t + k));
                }

                if (!ok)
                {
                    continue;
                }

                if (trigger.Length == 1 && trigger[0].StartsWith("LLAMAD", StringComparison.Ordinal))
                {
                    if (t > 0 && _isWord[t - 1] && s_callArticles.GetAlternateLookup<ReadOnlySpan<char>>().Contains(Folded(t - 1)))
                    {
                        return 0;
                    }

                    for (var back = t - 1; back >= Math.Max(0, t - 3); back--)
                    {
                        if (_isWord[back] && s_callOrVenue.GetAlternateLookup<ReadOnlySpan<char>>().Contains(Folded(back)))
                        {
                            return 0;
                        }
                    }
                }

                return t + trigger.Length;
            }

            return 0;
        }

        /// <summary>Could word k be a name, given its class and casing?</summary>
        private bool NameLike(int k, bool afterPersonNoun)
        {
            var cls = _class[k];
            if ((cls & WordClass.Common) != 0)
            {
                return false;
            }

            if ((cls & (WordClass.GivenName | WordClass.Surname | WordClass.Ambiguous)) != 0 || _replace[k] == 1)
            {
                return true;
            }

            if (cls == WordClass.None && _lexicon.SoundsLikeGivenName(Folded(k)))
            {
                return true;
            }

            if (_upperText)
            {
                // In an upper-case narrative casing says nothing: an unknown word after a person noun is taken for a name.
                return afterPersonNoun && cls == WordClass.None && _foldLength[k] >= 3;
            }

            return Capitalised(k) || (AllCaps(k) && _foldLength[k] >= 3 && (cls & WordClass.Place) == 0);
        }

        /// <summary>Casing: a capitalised word inside an upper-case narrative, an all-caps word inside a mixed-case one, a capitalised word in mid-sentence that no preposition or venue introduces.</summary>
        private void MarkCasing()
        {
            for (var t = 0; t < _count; t++)
            {
                if (!_isWord[t] || _protected[t] || _replace[t] != 0 || _foldLength[t] < 3 || (_class[t] & (WordClass.Common | WordClass.Place)) != 0)
                {
                    continue;
                }

                if (_upperText)
                {
                    if (Capitalised(t))
                    {
                        _replace[t] = 1;
                    }

                    continue;
                }

                var previous = t > 0 && _isWord[t - 1] && Adjacent(t - 1, t) ? t - 1 : -1;
                var introduced = previous >= 0 && s_placeIntroducers.GetAlternateLookup<ReadOnlySpan<char>>().Contains(Folded(previous));
                if (AllCaps(t) && _foldLength[t] >= 4 && !introduced && _class[t] != WordClass.None)
                {
                    _replace[t] = 1;
                }
                else if (Capitalised(t) && !SentenceStart(t) && !introduced && (_class[t] & (WordClass.GivenName | WordClass.Surname)) != 0)
                {
                    _replace[t] = 1;
                }
                else if (Capitalised(t) && !SentenceStart(t) && !introduced && previous >= 0 && _class[t] == WordClass.None && !IsCommon(previous) && _replace[previous] == 1)
                {
                    _replace[t] = 1;
                }
            }
        }

        /// <summary>A name extends over the adjacent name-like words after it and before it ("Rosa Quispe Mamani").</summary>
        private void Extend()
        {
            for (var t = 0; t < _count; t++)
            {
                if (_replace[t] == 1 && _isWord[t])
                {
                    ExtendFrom(t, strongRun: false);
                }
            }

            // Two adjacent lexicon names with at least one surname make a name even without context ("Rosa Quispe").
            for (var t = 0; t + 1 < _count; t++)
            {
                if (!_isWord[t] || !_isWord[t + 1] || !Adjacent(t, t + 1) || _protected[t] || _protected[t + 1] || IsCommon(t) || IsCommon(t + 1))
                {
                    continue;
                }

                var a = _class[t];
                var b = _class[t + 1];
                var aName = (a & (WordClass.GivenName | WordClass.Surname)) != 0;
                var bSurname = (b & WordClass.Surname) != 0;
                var bothAmbiguous = (a & WordClass.Ambiguous) != 0 && (b & WordClass.Ambiguous) != 0
                    && (_upperText || !Capitalised(t) || !Capitalised(t + 1) || (a & WordClass.GivenName) == 0);
                if (aName && bSurname && !bothAmbiguous)
                {
                    _replace[t] = 1;
                    _replace[t + 1] = 1;
                    ExtendFrom(t + 1, strongRun: false);
                }
            }
        }

        private void ExtendFrom(int t, bool strongRun)
        {
            var extra = 0;
            for (var k = t + 1; k < _count && extra < 3 && _isWord[k] && Adjacent(k - 1, k) && !IsCommon(k); k++)
            {
                var cls = _class[k];
                var nameLike = (cls & (WordClass.GivenName | WordClass.Surname | WordClass.Ambiguous)) != 0
                    || (cls == WordClass.None && (_upperText ? strongRun : Capitalised(k) || AllCaps(k)))
                    || (!_upperText && Capitalised(k) && (cls & WordClass.Place) != 0);
                if (!nameLike || (_protected[k] && !strongRun))
                {
                    break;
                }

                _replace[k] = 1;
                extra++;
            }

            for (var k = t - 1; k >= 0 && _isWord[k] && Adjacent(k, k + 1) && !IsCommon(k) && !_protected[k] && _replace[k] != 1; k--)
            {
                if ((_class[k] & (WordClass.GivenName | WordClass.Ambiguous)) == 0 || (!_upperText && char.IsLower(_text[_start[k]])))
                {
                    break;
                }

                _replace[k] = 1;
            }
        }

        /// <summary>Phones, document numbers and addresses.</summary>
        private void MarkNumbers()
        {
            for (var t = 0; t < _count; t++)
            {
                if (_isWord[t] && s_addressStarts.GetAlternateLookup<ReadOnlySpan<char>>().Contains(Folded(t)))
                {
                    t = MarkAddress(t);
                    continue;
                }

                if (_isWord[t] || _replace[t] != 0)
                {
                    continue;
                }

                // A group of digit runs joined by one space, dash, dot or parenthesis: "987 654 321", "(01) 423-4567".
                var last = t;
                var digits = _length[t];
                while (last + 1 < _count && !_isWord[last + 1] && Joined(last, last + 1))
                {
                    last++;
                    digits += _length[last];
                }

                var context = Context(t);
                byte kind = 0;
                if (context == 'R')
                {
                    kind = 0;
                }
                else if (context == 'D' && digits >= 4)
                {
                    kind = 2;
                }
                else if (context == 'P' && digits >= 6)
                {
                    kind = 3;
                }
                else if (last == t && digits >= 8)
                {
                    kind = digits == 9 && _text[_start[t]] == '9' ? (byte)3 : (byte)2;
                }
                else if (digits >= 6 && last > t)
                {
                    kind = 3;
                }

                if (kind != 0)
                {
                    for (var k = t; k <= last; k++)
                    {
                        _replace[k] = kind;
                    }
                }

                t = last;
            }
        }

        private bool Joined(int a, int b)
        {
            var from = _start[a] + _length[a];
            var gap = _start[b] - from;
            if (gap is < 1 or > 2)
            {
                return false;
            }

            for (var i = from; i < _start[b]; i++)
            {
                if (_text[i] is not (' ' or '-' or '.' or ')' or '('))
                {
                    return false;
                }
            }

            return true;
        }

        /// <summary>'D' after a document word, 'P' after a phone word, 'R' after an institutional reference, else ' ' (looking up to three words back).</summary>
        private char Context(int t)
        {
            for (var k = t - 1; k >= Math.Max(0, t - 4); k--)
            {
                if (!_isWord[k])
                {
                    continue;
                }

                var f = Folded(k);
                if (s_documentWords.GetAlternateLookup<ReadOnlySpan<char>>().Contains(f))
                {
                    return 'D';
                }

                if (s_phoneWords.GetAlternateLookup<ReadOnlySpan<char>>().Contains(f))
                {
                    return 'P';
                }

                if (s_referenceWords.GetAlternateLookup<ReadOnlySpan<char>>().Contains(f))
                {
                    return 'R';
                }
            }

            return ' ';
        }

        /// <summary>From an address keyword through its last number ("Jr. Los Pinos 345", "Mz. B Lt. 12"); returns the last token consumed.</summary>
        private int MarkAddress(int t)
        {
            var lastNumber = -1;
            for (var k = t + 1; k < _count && k <= t + 8; k++)
            {
                if (!_isWord[k])
                {
                    lastNumber = k;
                    continue;
                }

                var f = Folded(k);
                if (s_addressStarts.GetAlternateLookup<ReadOnlySpan<char>>().Contains(f) || s_addressGlue.GetAlternateLookup<ReadOnlySpan<char>>().Contains(f))
                {
                    continue;
                }

                if (IsCommon(k) || HasBreak(k - 1, k))
                {
                    break;
                }
            }

            if (lastNumber < 0)
            {
                return t;
            }

            for (var k = t; k <= lastNumber; k++)
            {
                _replace[k] = 4;
            }

            return lastNumber;
        }

        private bool HasBreak(int a, int b)
        {
            for (var i = _start[a] + _length[a]; i < _start[b]; i++)
            {
                if (_text[i] is ',' or ';' or '\n' or '(' or ')')
                {
                    return true;
                }
            }

            return false;
        }

        public List<(int Start, int Length)> NameTokens()
        {
            var result = new List<(int Start, int Length)>();
            for (var t = 0; t < _count; t++)
            {
                if (_replace[t] == 1)
                {
                    result.Add((_start[t], _length[t]));
                }
            }

            return result;
        }

        public string Emit()
        {
            var result = new StringBuilder(_text.Length);
            var at = 0;
            for (var t = 0; t < _count; t++)
            {
                var kind = _replace[t];
                if (kind == 0)
                {
                    continue;
                }

                // A multi-token phone, document or address becomes one placeholder.
                var last = t;
                if (kind != 1)
                {
                    while (last + 1 < _count && _replace[last + 1] == kind)
                    {
                        last++;
                    }
                }

                var from = _start[t];
                while (kind == 3 && from > at && _text[from - 1] is '(' or '+')
                {
                    from--;
                }

                result.Append(_text, at, from - at);
                result.Append(kind switch
                {
                    1 => NamePlaceholder,
                    2 => DniPlaceholder,
                    3 => PhonePlaceholder,
                    _ => AddressPlaceholder,
                });
                at = _start[last] + _length[last];
                t = last;
            }

            result.Append(_text, at, _text.Length - at);
            return result.ToString();
        }
    }
}
