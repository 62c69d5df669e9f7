using System.Text;

namespace TipWarehouse.Simulation.Text;

/// <summary>A simulated person: the true identity that each agency records in its own way.</summary>
internal sealed record WorldPerson(string FirstNames, string Surnames, int DniNumber, int Age, char Sex, string Nationality)
{
    /// <summary>True when the person has a DNI.</summary>
    public bool HasDni => DniNumber != 0;

    /// <summary>The DNI as written (eight digits), or null; kept as a number because a large world holds millions of people.</summary>
    public string? Dni => HasDni ? DniNumber.ToString("D8", System.Globalization.CultureInfo.InvariantCulture) : null;
}

/// <summary>Peruvian given names and surnames, and the spelling variations clerks introduce.</summary>
internal static class PersonNames
{
    private static readonly string[] s_female =
    [
        "María", "Rosa", "Carmen", "Ana", "Juana", "Luz", "Elizabeth", "Milagros", "Karina", "Yesenia", "Roxana", "Flor",
        "Maribel", "Sonia", "Gladys", "Lizbeth", "Diana", "Katherine", "Jessica", "Nelly", "Yuliana", "Rocío", "Marleny",
        "Sandra", "Vilma", "Nancy", "Erika", "Melissa", "Fiorella", "Kelly", "Lucía", "Mercedes", "Haydee", "Norma",
        "Yolanda", "Susana", "Olga", "Rebeca", "Noemí", "Esther", "Delia", "Marisol", "Ruth", "Cinthia", "Evelyn",
        "Zulema", "Judith", "Aurora", "Graciela", "Paola", "Brenda", "Jhoselyn", "Nayeli", "Yanet", "Edith", "Maritza",
    ];

    private static readonly string[] s_male =
    [
        "José", "Juan", "Luis", "Carlos", "Jorge", "Miguel", "Víctor", "César", "Pedro", "Julio", "Raúl", "Manuel",
        "Jesús", "Alberto", "Walter", "Edwin", "Wilber", "Richard", "Percy", "Hugo", "Félix", "Santiago", "Alex",
        "Fredy", "Ronald", "Elmer", "Jhon", "Nilton", "Rubén", "Óscar", "Segundo", "Teodoro", "Hernán", "Marco",
        "Eduardo", "Jhonatan", "Wilmer", "Germán", "Abel", "Aníbal", "Roger", "Henry", "Mario", "Efraín", "Ysaac",
    ];

    private static readonly string[] s_surnames =
    [
        "Quispe", "Mamani", "Huamán", "Condori", "Flores", "Chávez", "Rodríguez", "García", "Sánchez", "Rojas",
        "Ramírez", "Torres", "López", "Díaz", "Vásquez", "Mendoza", "Gutiérrez", "Pérez", "Cruz", "Castillo",
        "Apaza", "Ticona", "Ccori", "Choque", "Huanca", "Yupanqui", "Cusi", "Ccahuana", "Vilca", "Pari", "Coaquira",
        "Layme", "Chambi", "Villca", "Nina", "Huaraca", "Ñaupari", "Tapia", "Salazar", "Paredes", "Ríos", "Vargas",
        "Gonzales", "Ramos", "Espinoza", "Medina", "Aguilar", "Cárdenas", "Zevallos", "Saavedra", "Ayala", "Cahuana",
        "Pinedo", "Panduro", "Shupingahua", "Tuesta", "Ahuanari", "Sangama", "Tapullima", "Murayari", "Macedo",
        "Peña", "Arévalo", "Inga", "Yauri", "Ccopa", "Quiñones", "Benavides", "Valverde", "Huillca", "Sullca",
    ];

    // Every pair of given names and of surnames is joined once, so a large world shares these strings instead of keeping one copy per person.
    private static readonly string[][] s_femalePairs = Pairs(s_female);
    private static readonly string[][] s_malePairs = Pairs(s_male);
    private static readonly string[][] s_surnamePairs = Pairs(s_surnames);

    private static readonly string[] s_foreignNationality = ["BOLIVIANA", "ECUATORIANA", "COLOMBIANA", "CHILENA"];

    /// <summary>A new person of the given sex and age; minors often have no DNI yet (DNI for minors began in 2005).</summary>
    public static WorldPerson NewPerson(Rng rng, char sex, int age)
    {
        // Same draws as picking the names one by one, but the joined names come from the tables made once.
        var (pool, pairs) = sex == 'F' ? (s_female, s_femalePairs) : (s_male, s_malePairs);
        var firstIndex = rng.Next(pool.Length);
        var first = pool[firstIndex];
        if (rng.Chance(0.45))
        {
            var secondIndex = rng.Next(pool.Length);
            if (pool[secondIndex] != first)
            {
                first = pairs[firstIndex][secondIndex];
            }
        }

        var surnames = s_surnamePairs[rng.Next(s_surnames.Length)][rng.Next(s_surnames.Length)];
        var hasDni = age >= 18 ? rng.Chance(0.93) : rng.Chance(0.25);
        var dni = hasDni ? rng.Between(10_000_000, 48_999_999) : 0;
        var nationality = rng.Chance(0.03) ? rng.Pick(s_foreignNationality) : "PERUANA";
        if (nationality != "PERUANA")
        {
            dni = 0;
        }

        return new WorldPerson(first, surnames, dni, age, sex, nationality);
    }

    private static string[][] Pairs(string[] names) => [.. names.Select(a => names.Select(b => a + " " + b).ToArray())];

    /// <summary>The name as another clerk would type it: accents dropped, b/v, s/z, y/i, h swaps, a dropped second given name.</summary>
    public static string Vary(Rng rng, string name)
    {
        var result = name;
        if (rng.Chance(0.6))
        {
            result = TextNoise.StripAccents(result);
        }

        if (rng.Chance(0.25))
        {
            var space = result.IndexOf(' ', StringComparison.Ordinal);
            if (space > 0 && rng.Chance(0.5))
            {
                result = result[..space];
            }
        }

        if (rng.Chance(0.3))
        {
            result = TextNoise.PhoneticSwap(rng, result);
        }

        return result;
    }

    /// <summary>Upper-case the way most Peruvian registries store names.</summary>
    public static string Upper(string name) => name.ToUpper(System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>A full name "Given Surname1 Surname2".</summary>
    public static string FullName(WorldPerson person) => person.FirstNames + " " + person.Surnames;

    /// <summary>Joins pieces with single spaces.</summary>
    public static string Join(params string[] parts)
    {
        var builder = new StringBuilder();
        foreach (var part in parts)
        {
            if (part.Length == 0)
            {
                continue;
            }

            if (builder.Length > 0)
            {
                builder.Append(' ');
            }

            builder.Append(part);
        }

        return builder.ToString();
    }
}
