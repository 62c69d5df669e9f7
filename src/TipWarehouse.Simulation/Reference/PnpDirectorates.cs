namespace TipWarehouse.Simulation.Reference;

/// <summary>The mapping of Peru's 25 departments (first two digits of the INEI UBIGEO) to the 12 PNP territorial directorates, shared with the schema team via <c>reference/pnp_directorates.csv</c>.</summary>
/// <remarks>
/// | directorate | departments |
/// |---|---|
/// | I DIRTEPOL PIURA | 20 Piura, 24 Tumbes |
/// | II DIRTEPOL CHICLAYO | 01 Amazonas, 06 Cajamarca, 14 Lambayeque |
/// | III DIRTEPOL TRUJILLO | 02 Ancash, 13 La Libertad |
/// | IV DIRTEPOL HUANCAYO | 09 Huancavelica, 12 Junin, 19 Pasco |
/// | V DIRTEPOL IQUITOS | 16 Loreto |
/// | VI DIRTEPOL HUANUCO | 10 Huanuco, 25 Ucayali |
/// | VII DIRTEPOL LIMA | 07 Callao, 15 Lima |
/// | VIII DIRTEPOL AREQUIPA | 04 Arequipa, 18 Moquegua, 23 Tacna |
/// | IX DIRTEPOL CUSCO | 03 Apurimac, 08 Cusco, 17 Madre de Dios |
/// | X DIRTEPOL PUNO | 21 Puno |
/// | XI DIRTEPOL AYACUCHO | 05 Ayacucho, 11 Ica |
/// | XII DIRTEPOL SAN MARTIN | 22 San Martin |
/// </remarks>
public static class PnpDirectorates
{
    /// <summary>One row of the mapping.</summary>
    public sealed record Entry(string DepartmentCode, string DepartmentName, string Directorate);

    /// <summary>The 12 directorates, in their official order.</summary>
    public static IReadOnlyList<string> Names { get; } =
    [
        "I DIRTEPOL PIURA", "II DIRTEPOL CHICLAYO", "III DIRTEPOL TRUJILLO", "IV DIRTEPOL HUANCAYO",
        "V DIRTEPOL IQUITOS", "VI DIRTEPOL HUANUCO", "VII DIRTEPOL LIMA", "VIII DIRTEPOL AREQUIPA",
        "IX DIRTEPOL CUSCO", "X DIRTEPOL PUNO", "XI DIRTEPOL AYACUCHO", "XII DIRTEPOL SAN MARTIN",
    ];

    /// <summary>All 25 departments with their directorate, ordered by department code.</summary>
    public static IReadOnlyList<Entry> Entries { get; } =
    [
        new("01", "AMAZONAS", "II DIRTEPOL CHICLAYO"),
        new("02", "ANCASH", "III DIRTEPOL TRUJILLO"),
        new("03", "APURIMAC", "IX DIRTEPOL CUSCO"),
        new("04", "AREQUIPA", "VIII DIRTEPOL AREQUIPA"),
        new("05", "AYACUCHO", "XI DIRTEPOL AYACUCHO"),
        new("06", "CAJAMARCA", "II DIRTEPOL CHICLAYO"),
        new("07", "CALLAO", "VII DIRTEPOL LIMA"),
        new("08", "CUSCO", "IX DIRTEPOL CUSCO"),
        new("09", "HUANCAVELICA", "IV DIRTEPOL HUANCAYO"),
        new("10", "HUANUCO", "VI DIRTEPOL HUANUCO"),
        new("11", "ICA", "XI DIRTEPOL AYACUCHO"),
        new("12", "JUNIN", "IV DIRTEPOL HUANCAYO"),
        new("13", "LA LIBERTAD", "III DIRTEPOL TRUJILLO"),
        new("14", "LAMBAYEQUE", "II DIRTEPOL CHICLAYO"),
        new("15", "LIMA", "VII DIRTEPOL LIMA"),
        new("16", "LORETO", "V DIRTEPOL IQUITOS"),
        new("17", "MADRE DE DIOS", "IX DIRTEPOL CUSCO"),
        new("18", "MOQUEGUA", "VIII DIRTEPOL AREQUIPA"),
        new("19", "PASCO", "IV DIRTEPOL HUANCAYO"),
        new("20", "PIURA", "I DIRTEPOL PIURA"),
        new("21", "PUNO", "X DIRTEPOL PUNO"),
        new("22", "SAN MARTIN", "XII DIRTEPOL SAN MARTIN"),
        new("23", "TACNA", "VIII DIRTEPOL AREQUIPA"),
        new("24", "TUMBES", "I DIRTEPOL PIURA"),
        new("25", "UCAYALI", "VI DIRTEPOL HUANUCO"),
    ];

    /// <summary>The directorates whose stations were trained on the PNP TIP database by April 2007 (Lima and 7 others); the rest follow later in 2007.</summary>
    public static IReadOnlyList<string> TrainedByApril2007 { get; } =
    [
        "VII DIRTEPOL LIMA", "I DIRTEPOL PIURA", "III DIRTEPOL TRUJILLO", "IV DIRTEPOL HUANCAYO",
        "V DIRTEPOL IQUITOS", "VIII DIRTEPOL AREQUIPA", "IX DIRTEPOL CUSCO", "X DIRTEPOL PUNO",
    ];

    /// <summary>The directorate of a department code ("15") or of any UBIGEO code starting with it ("150101").</summary>
    public static string ForDepartment(string ubigeoOrDepartmentCode)
    {
        ArgumentNullException.ThrowIfNull(ubigeoOrDepartmentCode);
        if (ubigeoOrDepartmentCode.Length < 2)
        {
            throw new ArgumentException($"'{ubigeoOrDepartmentCode}' is not a UBIGEO or department code.", nameof(ubigeoOrDepartmentCode));
        }

        var code = ubigeoOrDepartmentCode[..2];
        foreach (var entry in Entries)
        {
            if (entry.DepartmentCode == code)
            {
                return entry.Directorate;
            }
        }

        throw new ArgumentException($"'{ubigeoOrDepartmentCode}' does not start with one of Peru's 25 department codes (01-25).", nameof(ubigeoOrDepartmentCode));
    }

    /// <summary>The mapping as the CSV text of <c>reference/pnp_directorates.csv</c> (header <c>department_code,department_name,directorate</c>, LF line ends).</summary>
    public static string ToCsv()
    {
        var builder = new System.Text.StringBuilder("department_code,department_name,directorate\n");
        foreach (var entry in Entries)
        {
            builder.Append(entry.DepartmentCode).Append(',').Append(entry.DepartmentName).Append(',').Append(entry.Directorate).Append('\n');
        }

        return builder.ToString();
    }
}
