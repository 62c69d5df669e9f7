namespace TipWarehouse.Classifier;

/// <summary>Trafficking indicators found in a narrative: the act (recruitment, movement), the means of control (the CTDC
/// categories of <c>reference/ctdc_means_of_control.csv</c>) and the purpose (exploitation types), each matched by Spanish
/// stems and phrases over the folded text, plus the combinations the Palermo definition needs (act + means + purpose).</summary>
/// <remarks>
/// The stems were written from the CTDC definitions and from how Peruvian callers and operators speak (chamba, chibola,
/// enganchador, pases, jato), not from the simulator's phrase tables; they were tuned only on the tuning part of the
/// hand-written narratives (<c>tests/TipWarehouse.Classifier.Tests/data/handwritten_narratives.csv</c>). A pattern matches at
/// the start of a word of the folded text (lower case, no accents, ñ→n, letters only), so <c>encerr</c> matches encerrada and
/// encerraron; a trailing space makes it a whole word. A concept with <see cref="Concept.Near"/> needs one of those patterns
/// within <see cref="NearChars"/> characters as well (documents count only next to a retention verb). The model learns how
/// much each indicator and each combination weighs from the warehouse's labels; the lexicon only says what to look at.
/// </remarks>
public static class IndicatorLexicon
{
    /// <summary>How far (in folded characters) a <see cref="Concept.Near"/> pattern may be from the concept's own match.</summary>
    public const int NearChars = 60;

    /// <summary>The part of the definition a concept belongs to.</summary>
    public enum Group
    {
        /// <summary>Recruitment or false promises (the act and deception).</summary>
        Recruitment,

        /// <summary>Transfer or transport of the victim.</summary>
        Movement,

        /// <summary>A means of control (CTDC).</summary>
        Control,

        /// <summary>An exploitation purpose.</summary>
        Exploitation,

        /// <summary>Other signals: explicit terms, minors, freedom to leave, requests for information.</summary>
        Context,
    }

    /// <summary>One indicator: its code, group and patterns.</summary>
    public sealed record Concept(string Code, Group Group, IReadOnlyList<string> Patterns, IReadOnlyList<string>? Near = null);

    /// <summary>Where a concept matched in the folded text.</summary>
    public readonly record struct Hit(int Concept, int Start, int Length);

    /// <summary>The indicators, in feature order.</summary>
    public static IReadOnlyList<Concept> Concepts { get; } =
    [
        new("RECRUITMENT", Group.Recruitment, ["capto", "capta", "captad", "captar", "captan", "captaron", "recluta", "enganch", "ofrecio", "ofrecieron", "ofreciendo", "ofrece trabajo", "ofrecen trabajo", "oferta de trabajo", "oferta", "le dio pasaje", "mando pasaje", "pago el pasaje", "contratista", "habilitador", "la enamoro", "lo convencio", "la convencio"]),
        new("FALSE_PROMISES", Group.Recruitment, ["prometi", "promesa", "engan", "enganad", "mintieron", "le mintio", "con el cuento", "diciendo que iba", "diciendo que era", "le dijeron que iba", "le dijeron que era", "supuesto trabajo", "en vez de"]),
        new("MOVEMENT", Group.Movement, ["llevaron", "llevada", "llevado", "llevadas", "llevados", "se la llevo", "se lo llevo", "se los llevo", "se las llevo", "la llevo", "lo llevo", "los llevo", "las llevo", "trajeron", "trajo", "traida", "traido", "traidas", "traidos", "traen", "trae ", "traslad", "embarc", "sacada", "sacado", "sacaron", "la mandaron", "lo mandaron", "cruzar la frontera"]),
        new("RESTRICTS_MOVEMENT", Group.Control, ["no la dejan", "no lo dejan", "no los dejan", "no las dejan", "no le dejan", "no les dejan", "no me dejan", "no nos dejan", "no la deja ", "no lo deja ", "no me deja ", "no le deja ", "encerr", "encierr", "con llave", "candado", "vigil", "cuidados por", "cercado", "retenid", "retienen a", "secuestr", "no puede salir", "no pueden salir", "no puede regresar", "no puede volver", "no pueden irse", "no puede irse", "nadie sale", "amarrad"]),
        new("WITHHOLDS_DOCUMENTS", Group.Control, ["dni", "documento", "pasaporte", "carnet", "partida"], ["quit", "retien", "retuv", "retenc", "guard", "tiene su", "tiene sus", "tienen su", "tienen sus", "se quedo con"]),
        new("DEBT_BONDAGE", Group.Control, ["deuda", "debe ", "deben ", "debia", "debian", "debemos", "debo ", "adelanto", "descuent", "les cobra", "le cobra", "les cobran", "le cobran", "cobra por", "multa", "vales", "pagar lo que"]),
        new("TAKES_EARNINGS", Group.Control, ["quita lo que", "quitan lo que", "quita todo", "quitan todo", "quita la plata", "quitan la plata", "quita el dinero", "quitan el dinero", "se queda con todo", "se quedan con todo", "se queda con la plata", "se queda con toda", "cobra lo que", "les quita", "le quita todo"]),
        new("THREATS", Group.Control, ["amenaz", "si se va", "si se van", "si me voy", "si se escapa", "si escapan", "si intentan", "si cuenta", "si reclama", "lo buscan", "la buscan"]),
        new("PHYSICAL_ABUSE", Group.Control, ["golpe", "pega ", "pegan ", "le pego", "les pega", "castig", "moreton", "escopeta", "armad", "armas", "cuchillo", "correa", "matar", "maltrat"]),
        new("THREAT_OF_LAW_ENFORCEMENT", Group.Control, ["denunciar por robo", "la denuncia", "lo denuncia", "los denuncia", "las denuncia", "la van a denunciar", "lo van a denunciar", "acusarla", "acusarlo", "migraciones", "a la policia"]),
        new("PSYCHOACTIVE_SUBSTANCES", Group.Control, ["drog", "aguardiente", "alcohol", "pastilla"]),
        new("EXCESSIVE_WORKING_HOURS", Group.Control, ["sin descanso", "todo el dia", "toda la noche", "horas", "de la manana a", "hasta medianoche", "de am a", "de a la", "sin dias libres", "dias sin"]),
        new("SEXUAL_EXPLOITATION", Group.Exploitation, ["prostitu", "prostib", "clientes", "pases", "dama de compania", "damas de compania", "acompanar a", "night club", "nightclub", "cantina", "bar ", "bares", "prostibar", "discoteca", "karaoke", "anfitriona", "citas", "servicios", "show", "webcam", "tener relaciones con", "tener sexo con", "estar con hombres", "salir con senores", "atender clientes", "atender a", "atienden", "acostarse con", "privado", "alquilad", "videos", "sexual", "modelo"]),
        new("FORCED_LABOUR", Group.Exploitation, ["sin pago", "sin pagar", "sin sueldo", "no le pagan", "no les pagan", "no me pagan", "no nos pagan", "no le paga ", "no les paga ", "no me paga ", "no ven plata", "no ven ni", "sin recibir", "por comida", "nunca terminan", "obliga", "forzad", "esclav", "explot", "trabajar para pagar", "trabajan para pagar"]),
        new("DOMESTIC_SERVITUDE", Group.Exploitation, ["empleada", "sirvienta", "cama adentro", "de crianza", "para crianza", "labores de la casa", "trabajadora del hogar", "limpiando", "cocina y limpia", "lava "]),
        new("FORCED_BEGGING", Group.Exploitation, ["limosna", "mendig", "pedir plata", "pedir en la calle", "piden plata", "pidiendo", "cuota", "caramelos", "golosinas"]),
        new("FORCED_CRIMINALITY", Group.Exploitation, ["vender droga", "venda droga", "llevar droga", "cargando droga", "mochilero", "llevar una maleta", "robar", "cupos", "estafar", "campanas", "pozas"]),
        new("SALE_OR_SERVILE_MARRIAGE", Group.Exploitation, ["vendio", "vendido", "vendida", "compro a", "compraron", "a cambio de", "entrego", "entregada", "entregado", "la casaron", "matrimonio", "esposas"]),
        new("WORKPLACE", Group.Context, ["socavon", "ladrillera", "draga", "campamento", "fundo", "taller", "chacra", "mina ", "minas", "minera", "pique", "pesquer", "lancha", "barco", "madera", "aserradero", "galpon", "obra"]),
        new("EXPLICIT_TERM", Group.Context, ["trata ", "tratante", "explotacion"]),
        new("MINOR", Group.Context, ["menor", "menores", "nina", "nino", "adolescent", "chibol", "chiquill", "alumna", "alumno", "colegio"]),
        new("FREE_TO_LEAVE", Group.Context, ["ya no trabaja", "renuncio", "puede irse", "regresan a sus casas", "regreso a su casa", "vive con sus padres", "vive con ella", "vive en su casa", "esta bien", "estan bien", "esta contenta", "ya aparecio", "lo encontraron", "la encontraron", "lo encontro", "la encontro", "se escapo de la casa", "se fue de la casa", "se fugo", "no quiere regresar", "no quiere volver", "contesta", "manda fotos", "sale todos", "con permiso", "le paga", "le pagan bien", "con contrato", "con sueldo", "puede dejar", "cuando quiera", "sigue trabajando", "ya no va a volver", "esta en casa", "esta con ella", "ya regreso", "ya volvio", "volvio a su casa", "vive sola", "tiene sus documentos", "llama cada", "dice que esta bien"]),
        new("INQUIRY", Group.Context, ["consulta", "informacion", "quiere saber", "queria saber", "pregunta", "requisitos", "orientacion", "como denunciar", "donde denunciar", "a donde voy", "que puede hacer", "si es legal", "si es delito", "tramit", "estafa", "asesoria", "reclamar", "sunafil", "ministerio de trabajo", "huelga", "sindicato"]),
    ];

    /// <summary>The core groups whose pairs become conjunction features, in order.</summary>
    public static IReadOnlyList<Group> CoreGroups { get; } = [Group.Recruitment, Group.Movement, Group.Control, Group.Exploitation];

    // Every pattern of every concept, in concept order then pattern order, bucketed by its first character, and for ASCII
    // letters by its first two: a pattern can only match where a word starts with them, so a narrative's words are looked
    // up instead of every pattern being searched for in the whole text.
    private static readonly Pattern[][] s_patternsByFirstChar = BuildPatternIndex();

    // [c0 * 128 + c1]: the patterns of s_patternsByFirstChar[c0] that are one character long or go on with c1.
    private static readonly Pattern[][] s_patternsByFirstPair = BuildPairIndex();

    private readonly record struct Pattern(int Concept, string Text, int HitLength);

    /// <summary>Every indicator match in <paramref name="folded"/> (as <see cref="TextFeaturizer.FoldText(string)"/> returns it), in
    /// concept order, then by position.</summary>
    /// <remarks>A pattern matches at a word start (a position after a space) where the text starts with it; at one position a
    /// concept counts once, with the first of its patterns (in <see cref="Concept.Patterns"/> order) that matches there and,
    /// for a concept with <see cref="Concept.Near"/>, has one of those patterns nearby.</remarks>
    public static List<Hit> Find(ReadOnlySpan<char> folded)
    {
        var hits = new List<Hit>();
        Span<int> lastStart = stackalloc int[Concepts.Count];
        lastStart.Fill(-1);
        for (var at = 1; at < folded.Length; at++)
        {
            if (folded[at - 1] != ' ' || folded[at] >= s_patternsByFirstChar.Length)
            {
                continue;
            }

            var rest = folded[at..];
            // A word start is never the last character (the folded text ends with a space).
            var next = at + 1 < folded.Length ? folded[at + 1] : '\uffff';
            var candidates = folded[at] < 128 && next < 128 ? s_patternsByFirstPair[(folded[at] * 128) + next] : s_patternsByFirstChar[folded[at]];
            foreach (var pattern in candidates)
            {
                if (lastStart[pattern.Concept] == at || !rest.StartsWith(pattern.Text, StringComparison.Ordinal))
                {
                    continue;
                }

                var near = Concepts[pattern.Concept].Near;
                if (near is null || IsNearAny(folded, near, at, pattern.Text.Length))
                {
                    lastStart[pattern.Concept] = at;
                    hits.Add(new Hit(pattern.Concept, at, pattern.HitLength));
                }
            }
        }

        // A concept has at most one hit per position, so (concept, position) orders the hits completely.
        hits.Sort(static (a, b) => a.Concept != b.Concept ? a.Concept.CompareTo(b.Concept) : a.Start.CompareTo(b.Start));
        return hits;
    }

    private static Pattern[][] BuildPatternIndex()
    {
        var all = new List<Pattern>();
        for (var c = 0; c < Concepts.Count; c++)
        {
            all.AddRange(Concepts[c].Patterns.Select(p => new Pattern(c, p, p.TrimEnd().Length)));
        }

        var size = all.Count == 0 ? 0 : all.Max(p => (int)p.Text[0]) + 1;
        var index = new Pattern[size][];
        for (var ch = 0; ch < size; ch++)
        {
            index[ch] = [.. all.Where(p => p.Text[0] == ch)];
        }

        return index;
    }

    private static Pattern[][] BuildPairIndex()
    {
        var index = new Pattern[128 * 128][];
        for (var c0 = 0; c0 < 128; c0++)
        {
            var first = c0 < s_patternsByFirstChar.Length ? s_patternsByFirstChar[c0] : [];
            for (var c1 = 0; c1 < 128; c1++)
            {
                index[(c0 * 128) + c1] = [.. first.Where(p => p.Text.Length == 1 || p.Text[1] == c1)];
            }
        }

        return index;
    }

    // Whether pattern occurs at a word start of text (text has a space before every word; position 0 never counts).
    private static bool OccursAtWordStart(ReadOnlySpan<char> text, string pattern)
    {
        var from = 0;
        while (from < text.Length)
        {
            var i = text[from..].IndexOf(pattern.AsSpan(), StringComparison.Ordinal);
            if (i < 0)
            {
                return false;
            }

            var at = from + i;
            if (at > 0 && text[at - 1] == ' ')
            {
                return true;
            }

            from = at + 1;
        }

        return false;
    }

    private static bool IsNearAny(ReadOnlySpan<char> text, IReadOnlyList<string> patterns, int at, int length)
    {
        // Widen to word starts so the window's first word can match.
        var from = Math.Max(0, at - NearChars);
        while (from > 0 && text[from - 1] != ' ')
        {
            from--;
        }

        var to = Math.Min(text.Length, at + length + NearChars);
        var window = from == 0 ? text[..to] : text[(from - 1)..to];
        foreach (var pattern in patterns)
        {
            if (OccursAtWordStart(window, pattern))
            {
                return true;
            }
        }

        return false;
    }
}
