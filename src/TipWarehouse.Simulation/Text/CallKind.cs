namespace TipWarehouse.Simulation.Text;

/// <summary>What a hotline call is really about (the hidden truth behind the narrative).</summary>
internal enum CallKind
{
    TipSexual,
    TipMining,
    TipLogging,
    TipAgriculture,
    TipDomestic,
    TipBegging,
    Information,
    Silent,
    Prank,
    DomesticViolence,
    UnpaidWages,
    JobFraud,
    RunawayTeen,
    SexualAssault,
    MissingPerson,
    MinorWorkingWithConsent,
    OtherCrime,
}

/// <summary>Facts about the call kinds.</summary>
internal static class CallKinds
{
    /// <summary>True for the TIP kinds.</summary>
    public static bool IsTip(this CallKind kind) => kind <= CallKind.TipBegging;

    /// <summary>The CTDC-style exploitation type written to the truth labels (empty when not TIP).</summary>
    public static string ExploitationType(this CallKind kind) => kind switch
    {
        CallKind.TipSexual => "SEXUAL",
        CallKind.TipMining or CallKind.TipLogging or CallKind.TipAgriculture => "LABORAL",
        CallKind.TipDomestic => "SERVIDUMBRE_DOMESTICA",
        CallKind.TipBegging => "MENDICIDAD",
        _ => "",
    };

    /// <summary>The category a careful operator would choose.</summary>
    public static string TrueCategory(this CallKind kind) => kind switch
    {
        CallKind.TipSexual or CallKind.TipBegging => "TRATA",
        CallKind.TipMining or CallKind.TipLogging or CallKind.TipAgriculture or CallKind.TipDomestic => "EXPLOTACION LABORAL",
        CallKind.Information => "INFORMACION",
        CallKind.Silent or CallKind.Prank => "BROMA/SILENCIO",
        CallKind.DomesticViolence => "VIOLENCIA FAMILIAR",
        CallKind.RunawayTeen or CallKind.MissingPerson => "DESAPARECIDO",
        _ => "OTRO",
    };

    /// <summary>Categories an operator confuses this kind with.</summary>
    public static string[] ConfusedCategories(this CallKind kind) => kind switch
    {
        CallKind.TipSexual => ["DESAPARECIDO", "OTRO", "VIOLENCIA FAMILIAR", "EXPLOTACION LABORAL"],
        CallKind.TipMining or CallKind.TipLogging or CallKind.TipAgriculture => ["TRATA", "OTRO", "DESAPARECIDO"],
        CallKind.TipDomestic => ["TRATA", "VIOLENCIA FAMILIAR", "OTRO"],
        CallKind.TipBegging => ["OTRO", "EXPLOTACION LABORAL", "VIOLENCIA FAMILIAR"],
        CallKind.Information => ["OTRO", "TRATA"],
        CallKind.Silent or CallKind.Prank => ["OTRO", "INFORMACION"],
        CallKind.DomesticViolence => ["OTRO", "TRATA"],
        CallKind.UnpaidWages or CallKind.JobFraud => ["EXPLOTACION LABORAL", "TRATA", "INFORMACION"],
        CallKind.RunawayTeen or CallKind.MissingPerson => ["TRATA", "OTRO"],
        CallKind.MinorWorkingWithConsent => ["EXPLOTACION LABORAL", "TRATA"],
        _ => ["VIOLENCIA FAMILIAR", "INFORMACION", "TRATA"],
    };
}
