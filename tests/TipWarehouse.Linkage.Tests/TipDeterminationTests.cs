using TipWarehouse.Core;
using TipWarehouse.Linkage.Determination;

namespace TipWarehouse.Linkage.Tests;

/// <summary>Each rule of reference/tip_definition.yaml, the versioning, and re-derivation (idempotent, atomic) on an in-memory warehouse.</summary>
public sealed class TipDeterminationTests
{
    private static readonly DateOnly s_preLaw = new(2006, 5, 2);
    private static readonly DateOnly s_postLaw = new(2007, 5, 2);

    private static TipDefinition Shipped() => TipDefinition.Load(TipDefinition.DefaultPath);

    private static int CrimeType(TestWarehouse w, string article, DateOnly date) =>
        w.Scalar<int>("SELECT crime_type_key FROM dw.dim_crime_type WHERE penal_article = $a AND valid_from <= $d AND (valid_to IS NULL OR valid_to >= $d)",
            ("a", article), ("d", date.ToDateTime(TimeOnly.MinValue)));

    private static void Report(TestWarehouse w, string number, string? article, DateOnly date, string modality, string? callId = null, int? victimAge = null)
    {
        var unit = w.Unit("CPNP-LIMA", TestWarehouse.Lima);
        w.Report(number, date, TestWarehouse.Lima, unit, callId, tip: false, crimeTypeKey: article is null ? -1 : CrimeType(w, article, date));
        w.Execute("UPDATE dw.fact_police_report SET modality = $m WHERE report_number = $n", ("m", modality), ("n", number));
        if (victimAge is { } age)
        {
            w.ReportPerson(number, number + "-V", w.Person(null, "V" + number, 'F'), "VICTIMA", age);
        }
    }

    private static void Call(TestWarehouse w, string id, DateOnly date, string? category, string narrative)
    {
        var unit = w.Unit("CPNP-LIMA", TestWarehouse.Lima);
        w.Call(id, date, TestWarehouse.Lima, unit, tip: false);
        w.Execute("UPDATE dw.fact_hotline_call SET operator_category = $c, narrative = $n WHERE call_id = $id", ("c", category), ("n", narrative), ("id", id));
    }

    private static void Case(TestWarehouse w, long sequence, string caseNumber, DateOnly date, string stage, string? citedReport, string articles, int defendants = 1)
    {
        w.Event(sequence, caseNumber, date, stage, citedReport);
        w.Execute("UPDATE dw.fact_case_event SET charged_articles = $a, defendant_count = $d, is_tip_related = false WHERE event_sequence = $s",
            ("a", articles), ("d", defendants), ("s", sequence));
    }

    private static TipDeterminationSummary Determine(TestWarehouse w, TipDefinition? definition = null, long batch = 10)
    {
        using var transaction = w.Connection.BeginTransaction();
        var summary = new TipDeterminationEngine(definition ?? Shipped()).Run(w.Connection, batch);
        transaction.Commit();
        return summary;
    }

    private static (string Status, string Basis, string? Series, string Exploitation) Decision(TestWarehouse w, string type, string id) =>
        w.Rows("""
            SELECT d.tip_status, d.tip_basis, d.related_series, x.exploitation_code FROM dw.tip_determination d
            JOIN dw.dim_exploitation_type x ON x.exploitation_type_key = d.exploitation_type_key WHERE d.record_type = $t AND d.record_id = $i
            """, r => (r.GetString(0), r.GetString(1), r.IsDBNull(2) ? null : r.GetString(2), r.GetString(3)), ("t", type), ("i", id)).Single();

    [Fact]
    public void Pre_law_article_182_and_post_law_article_153_are_confirmed_by_statute()
    {
        using var w = new TestWarehouse();
        Report(w, "DEN-2006-000001", "182", s_preLaw, "TRATA DE PERSONAS");
        Report(w, "DEN-2007-000001", "153", s_postLaw, "VIOLACION DE LA LIBERTAD PERSONAL");

        Determine(w);

        Assert.Equal("confirmed_statute", Decision(w, "police_report", "DEN-2006-000001").Status);
        var post = Decision(w, "police_report", "DEN-2007-000001");
        Assert.Equal("confirmed_statute", post.Status);
        Assert.Contains("Ley 28950", post.Basis, StringComparison.Ordinal);
        Assert.True(w.Scalar<bool>("SELECT is_tip_related FROM dw.fact_police_report WHERE report_number = 'DEN-2007-000001'"));
    }

    [Fact]
    public void The_determination_reports_its_rule_statements_done_of_all_then_the_records_written()
    {
        using var w = new TestWarehouse();
        Report(w, "DEN-2006-000001", "182", s_preLaw, "TRATA DE PERSONAS");
        var reports = new List<TipWarehouse.Core.Pipelines.StepProgress>();
        using var transaction = w.Connection.BeginTransaction();
        var summary = new TipDeterminationEngine(Shipped()) { Progress = new Recorder(reports) }.Run(w.Connection, 10);
        transaction.Commit();

        var rules = reports.Where(r => r.Phase == "rules").ToList();
        Assert.True(rules.Count > 5);
        Assert.Equal(Enumerable.Range(0, rules.Count).Select(i => (long)i), rules.Select(r => r.Done));
        Assert.All(rules, r => Assert.Equal(rules.Count, r.Total));
        Assert.Equal([(0L, summary.Changed), (summary.Changed, summary.Changed)], reports.Where(r => r.Phase == "writing").Select(r => (r.Done, r.Total!.Value)));
        Assert.True(summary.Changed > 0);
    }

    private sealed class Recorder(List<TipWarehouse.Core.Pipelines.StepProgress> reports) : IProgress<TipWarehouse.Core.Pipelines.StepProgress>
    {
        public void Report(TipWarehouse.Core.Pipelines.StepProgress value) => reports.Add(value);
    }

    [Fact]
    public void Article_153_before_the_law_and_pimping_without_evidence_are_their_own_series_not_tip()
    {
        using var w = new TestWarehouse();
        Report(w, "DEN-2006-000002", "153", s_preLaw, "VIOLACION DE LA LIBERTAD PERSONAL", victimAge: 30);
        Report(w, "DEN-2006-000003", "181", s_preLaw, "PROXENETISMO", victimAge: 25);

        Determine(w);

        var old153 = Decision(w, "police_report", "DEN-2006-000002");
        Assert.Equal(("not_tip", "personal_liberty"), (old153.Status, old153.Series));
        var pimping = Decision(w, "police_report", "DEN-2006-000003");
        Assert.Equal(("not_tip", "pimping"), (pimping.Status, pimping.Series));
        Assert.Contains("without TIP evidence", pimping.Basis, StringComparison.Ordinal);
        Assert.False(w.Scalar<bool>("SELECT is_tip_related FROM dw.fact_police_report WHERE report_number = 'DEN-2006-000003'"));
    }

    [Fact]
    public void A_modality_that_names_trafficking_confirms_and_gives_the_exploitation_type()
    {
        using var w = new TestWarehouse();
        Report(w, "DEN-2006-000004", "168", s_preLaw, "TRATA DE PERSONAS - SERVIDUMBRE DOMESTICA");

        Determine(w);

        var d = Decision(w, "police_report", "DEN-2006-000004");
        Assert.Equal(("confirmed_statute", "DOMESTIC_SERVITUDE"), (d.Status, d.Exploitation));
        Assert.Equal(d.Exploitation, w.Scalar<string>("SELECT x.exploitation_code FROM dw.fact_police_report f JOIN dw.dim_exploitation_type x USING (exploitation_type_key) WHERE report_number = 'DEN-2006-000004'"));
    }

    [Fact]
    public void A_related_statute_with_a_linked_tip_call_is_evidence_linked_with_type_and_means_of_control_from_the_narrative()
    {
        using var w = new TestWarehouse();
        Call(w, "L-1", s_preLaw, "EXPLOTACION LABORAL", "Refiere que su hijo esta en un campamento minero, le quitaron su DNI y tiene una deuda que nunca termina de pagar.");
        Report(w, "DEN-2006-000005", "168", s_preLaw.AddDays(3), "ATENTADO CONTRA LA LIBERTAD DE TRABAJO", callId: "L-1");

        Determine(w);

        var call = Decision(w, "hotline_call", "L-1");
        Assert.Equal("indicated", call.Status);
        Assert.Contains("operator category EXPLOTACION LABORAL", call.Basis, StringComparison.Ordinal);
        var report = Decision(w, "police_report", "DEN-2006-000005");
        Assert.Equal(("evidence_linked", "FORCED_LABOUR"), (report.Status, report.Exploitation));
        Assert.Contains("L-1", report.Basis, StringComparison.Ordinal);
        var controls = w.Rows("SELECT m.control_code FROM dw.bridge_record_means_of_control b JOIN dw.dim_means_of_control m USING (means_of_control_key) WHERE b.record_id = 'DEN-2006-000005' ORDER BY 1", r => r.GetString(0));
        Assert.Equal(["DEBT_BONDAGE", "WITHHOLDS_DOCUMENTS"], controls);
    }

    [Fact]
    public void A_linked_call_is_evidence_only_when_the_classifier_is_confident_or_the_operator_agrees()
    {
        using var w = new TestWarehouse();
        w.ActiveModel();
        void Scored(string id, string category, double probability, string report)
        {
            Call(w, id, s_preLaw, category, "Llamada sobre una joven en Puno.");
            w.Score(id, probability);
            Report(w, report, "179", s_preLaw.AddDays(2), "FAVORECIMIENTO A LA PROSTITUCION", callId: id);
        }

        Scored("L-20", "ORIENTACION", 0.62, "DEN-2006-000020");
        Scored("L-21", "TRATA", 0.62, "DEN-2006-000021");
        Scored("L-22", "ORIENTACION", 0.93, "DEN-2006-000022");
        var shipped = Shipped();
        Assert.Equal(0.8, shipped.LinkedCallMinProbability);

        Determine(w, shipped);

        // The borderline call is TIP itself, but not evidence enough to turn a pimping-type report into TIP.
        Assert.Equal("indicated", Decision(w, "hotline_call", "L-20").Status);
        Assert.Equal(("not_tip", "sexual_exploitation_of_others"), (Decision(w, "police_report", "DEN-2006-000020").Status, Decision(w, "police_report", "DEN-2006-000020").Series));
        Assert.Equal("evidence_linked", Decision(w, "police_report", "DEN-2006-000021").Status);
        Assert.Equal("evidence_linked", Decision(w, "police_report", "DEN-2006-000022").Status);

        // Without the threshold every TIP call is evidence again.
        Determine(w, shipped with { LinkedCallMinProbability = null }, batch: 11);
        Assert.Equal("evidence_linked", Decision(w, "police_report", "DEN-2006-000020").Status);
    }

    [Fact]
    public void A_related_statute_takes_a_linked_call_of_a_tip_operator_category_as_evidence_whatever_the_classifier_scored_when_the_definition_says_so()
    {
        using var w = new TestWarehouse();
        w.ActiveModel();
        void Scored(string id, string category, string article, string report)
        {
            Call(w, id, s_preLaw, category, "Llamada sobre un joven en una chacra de Madre de Dios.");
            w.Score(id, 0.3);
            Report(w, report, article, s_preLaw.AddDays(2), "EXPOSICION A PELIGRO", callId: id);
        }

        Scored("L-40", "EXPLOTACION LABORAL", "168", "DEN-2006-000040");   // forced labour (related) and a labour-exploitation call
        Scored("L-41", "EXPLOTACION LABORAL", "196", "DEN-2006-000041");   // fraud: no related statute
        Scored("L-42", "ORIENTACION", "168", "DEN-2006-000042");           // the operator did not class the call as TIP
        var shipped = Shipped();
        Assert.True(shipped.OperatorCategoryEvidenceForRelatedStatutes);

        Determine(w, shipped with { OperatorCategoryEvidenceForRelatedStatutes = false });
        // The classifier overrides the operator for the call itself, and by default a low-scored call is no evidence.
        Assert.Equal("not_tip", Decision(w, "hotline_call", "L-40").Status);
        Assert.Equal("not_tip", Decision(w, "police_report", "DEN-2006-000040").Status);

        Determine(w, shipped, batch: 11);
        var report = Decision(w, "police_report", "DEN-2006-000040");
        Assert.Equal("evidence_linked", report.Status);
        Assert.StartsWith("art. 168 with linked call L-40 of TIP operator category EXPLOTACION LABORAL (classifier p=0.3 < 0.5)", report.Basis, StringComparison.Ordinal);
        Assert.Equal("not_tip", Decision(w, "police_report", "DEN-2006-000041").Status);
        Assert.Equal("not_tip", Decision(w, "police_report", "DEN-2006-000042").Status);
        Assert.Equal("not_tip", Decision(w, "hotline_call", "L-40").Status);
        Assert.False(TipDefinition.Parse(File.ReadAllText(TipDefinition.DefaultPath).Replace("operator_category_for_related_statutes: true", "operator_category_for_related_statutes: false", StringComparison.Ordinal), "edited.yaml")
            .OperatorCategoryEvidenceForRelatedStatutes);
    }

    [Fact]
    public void A_theft_report_takes_no_evidence_from_a_linked_tip_call()
    {
        using var w = new TestWarehouse();
        Call(w, "L-2", s_preLaw, "TRATA", "La tienen en un bar y no la dejan salir.");
        Report(w, "DEN-2006-000006", "185", s_preLaw.AddDays(2), "HURTO SIMPLE", callId: "L-2");

        Determine(w);

        Assert.Equal("not_tip", Decision(w, "police_report", "DEN-2006-000006").Status);
    }

    [Fact]
    public void A_child_victim_under_a_related_statute_is_indicated_and_an_adult_is_not()
    {
        using var w = new TestWarehouse();
        Report(w, "DEN-2006-000007", "179", s_preLaw, "FAVORECIMIENTO A LA PROSTITUCION", victimAge: 15);
        Report(w, "DEN-2006-000008", "179", s_preLaw, "FAVORECIMIENTO A LA PROSTITUCION", victimAge: 19);

        Determine(w);

        var child = Decision(w, "police_report", "DEN-2006-000007");
        Assert.Equal(("indicated", "SEXUAL_EXPLOITATION"), (child.Status, child.Exploitation));
        Assert.Contains("age 15", child.Basis, StringComparison.Ordinal);
        Assert.Equal("not_tip", Decision(w, "police_report", "DEN-2006-000008").Status);
    }

    [Fact]
    public void A_call_without_category_or_score_is_indicated_only_by_recruitment_exploitation_and_control_together()
    {
        using var w = new TestWarehouse();
        Call(w, "L-3", s_preLaw, null, "Le ofrecieron trabajo en una tienda y la trajeron a un bar de Puno, le quitaron su DNI.");
        Call(w, "L-4", s_preLaw, null, "Trabaja en un bar de Puno y le quitaron su DNI.");

        Determine(w);

        var all = Decision(w, "hotline_call", "L-3");
        Assert.Equal(("indicated", "SEXUAL_EXPLOITATION"), (all.Status, all.Exploitation));
        Assert.StartsWith("narrative: recruitment + SEXUAL_EXPLOITATION + WITHHOLDS_DOCUMENTS", all.Basis, StringComparison.Ordinal);
        Assert.Equal("not_tip", Decision(w, "hotline_call", "L-4").Status);
    }

    [Fact]
    public void A_prosecution_case_is_tip_by_a_confirmed_article_on_the_event_date_or_by_its_linked_tip_report()
    {
        using var w = new TestWarehouse();
        Report(w, "DEN-2006-000009", "179", s_preLaw, "FAVORECIMIENTO A LA PROSTITUCION", victimAge: 14);
        Report(w, "DEN-2006-000010", "181", s_preLaw, "PROXENETISMO", victimAge: 30);
        Case(w, 1, "FPLIM-2006-0001", s_preLaw.AddDays(20), "COMPLAINT_RECEIVED", "DEN-2006-000009", "179");
        Case(w, 2, "FPLIM-2006-0002", s_preLaw.AddDays(20), "COMPLAINT_RECEIVED", "DEN-2006-000010", "181");
        Case(w, 3, "FPLIM-2006-0002", s_preLaw.AddDays(60), "FORMALIZATION", "DEN-2006-000010", "181", defendants: 2);
        Case(w, 4, "FPLIM-2007-0001", s_postLaw, "FORMALIZATION", null, "153");

        Determine(w);

        Assert.Equal("evidence_linked", Decision(w, "prosecution_case", "FPLIM-2006-0001").Status);
        var pimping = Decision(w, "prosecution_case", "FPLIM-2006-0002");
        Assert.Equal(("not_tip", "pimping"), (pimping.Status, pimping.Series));
        Assert.Equal("confirmed_statute", Decision(w, "prosecution_case", "FPLIM-2007-0001").Status);
        Assert.False(w.Scalar<bool>("SELECT bool_or(is_tip_related) FROM dw.fact_case_event WHERE case_number = 'FPLIM-2006-0002'"));
        Assert.True(w.Scalar<bool>("SELECT bool_and(is_tip_related) FROM dw.fact_case_event WHERE case_number = 'FPLIM-2006-0001'"));

        // The monthly TIP series: first prosecution event per TIP case, pimping charges (persons, TIP or not).
        var may = w.Rows("SELECT tip_cases_sent_to_prosecution, tip_cases_in_process FROM rpt.v_tip_monthly WHERE year_month = '2006-05'", r => (Convert.ToInt64(r.GetValue(0)), Convert.ToInt64(r.GetValue(1)))).Single();
        Assert.Equal((1L, 1L), may);
        Assert.Equal(2L, w.Scalar<long>("SELECT CAST(sum(persons_charged_pimping) AS BIGINT) FROM rpt.v_tip_monthly WHERE year_month LIKE '2006-%'"));
    }

    [Fact]
    public void The_version_is_the_declared_version_and_the_content_hash_and_every_row_carries_it()
    {
        var text = File.ReadAllText(TipDefinition.DefaultPath);
        var shipped = TipDefinition.Parse(text, "a.yaml");
        var edited = TipDefinition.Parse(text.Replace("max_age: 17", "max_age: 15", StringComparison.Ordinal), "b.yaml");

        Assert.Matches(@"^[0-9.]+-\d+\+[0-9a-f]{8}$", shipped.Version);
        Assert.NotEqual(shipped.Version, edited.Version);
        Assert.Equal(shipped.Version.Split('+')[0], edited.Version.Split('+')[0]);

        using var w = new TestWarehouse();
        Report(w, "DEN-2006-000011", "182", s_preLaw, "TRATA DE PERSONAS");
        Determine(w, shipped);
        Assert.Equal([shipped.Version], w.Rows("SELECT DISTINCT tip_definition_version FROM dw.tip_determination", r => r.GetString(0)));
    }

    [Fact]
    public void Changing_one_rule_rederives_history_and_a_second_run_changes_nothing()
    {
        using var w = new TestWarehouse();
        Report(w, "DEN-2006-000012", "181", s_preLaw, "PROXENETISMO", victimAge: 16);
        var text = File.ReadAllText(TipDefinition.DefaultPath);

        var first = Determine(w);
        Assert.Equal("indicated", Decision(w, "police_report", "DEN-2006-000012").Status);
        Assert.Equal(0, Determine(w).Changed);

        var withoutChildRule = TipDefinition.Parse(text.Replace("max_age: 17", "max_age: 15", StringComparison.Ordinal), "edited.yaml");
        var changed = Determine(w, withoutChildRule);
        Assert.Equal("not_tip", Decision(w, "police_report", "DEN-2006-000012").Status);
        Assert.False(w.Scalar<bool>("SELECT is_tip_related FROM dw.fact_police_report WHERE report_number = 'DEN-2006-000012'"));
        Assert.Equal(first.Records, changed.Changed); // a new version re-stamps every row
        Assert.Equal(0, Determine(w, withoutChildRule).Changed);
    }

    [Fact]
    public void A_determination_that_does_not_commit_leaves_the_previous_state()
    {
        using var w = new TestWarehouse();
        Report(w, "DEN-2006-000013", "181", s_preLaw, "PROXENETISMO", victimAge: 16);
        Determine(w);
        var before = w.Scalar<string>("SELECT string_agg(record_id || tip_status || tip_definition_version, ',') FROM dw.tip_determination");
        var edited = TipDefinition.Parse(File.ReadAllText(TipDefinition.DefaultPath).Replace("max_age: 17", "max_age: 15", StringComparison.Ordinal), "edited.yaml");

        using (var transaction = w.Connection.BeginTransaction())
        {
            new TipDeterminationEngine(edited).Run(w.Connection, 11);
            transaction.Rollback(); // a killed rebuild: the engine's batch transaction never commits
        }

        Assert.Equal(before, w.Scalar<string>("SELECT string_agg(record_id || tip_status || tip_definition_version, ',') FROM dw.tip_determination"));
        Assert.True(w.Scalar<bool>("SELECT is_tip_related FROM dw.fact_police_report WHERE report_number = 'DEN-2006-000013'"));
    }

    private static string ExploitationBasis(TestWarehouse w, string type, string id) =>
        w.Scalar<string>("SELECT coalesce(exploitation_basis, 'none') FROM dw.tip_determination WHERE record_type = $t AND record_id = $i", ("t", type), ("i", id))!;

    private static void Victim(TestWarehouse w, string callId, char sex, int age) =>
        w.Execute("UPDATE dw.fact_hotline_call SET victim_sex = $s, victim_age = $a WHERE call_id = $id", ("s", sex.ToString()), ("a", (short)age), ("id", callId));

    [Fact]
    public void A_lure_is_not_the_exploitation_and_household_chores_are_domestic_servitude()
    {
        using var w = new TestWarehouse();
        Call(w, "L-30", s_preLaw, "EXPLOTACION LABORAL",
            "Refiere que su hija vive con una familia en Lima que la hace hacer todas las cosas de la casa y cuidar a los niños. Le ofrecieron trabajo de anfitriona.");

        Determine(w);

        Assert.Equal("DOMESTIC_SERVITUDE", Decision(w, "hotline_call", "L-30").Exploitation);
        Assert.Equal("narrative keywords", ExploitationBasis(w, "hotline_call", "L-30"));

        // Without the lure rule the job offered ("anfitriona", a sexual keyword, matched first) decides.
        Determine(w, Shipped() with { LurePattern = null }, batch: 11);
        Assert.Equal("SEXUAL_EXPLOITATION", Decision(w, "hotline_call", "L-30").Exploitation);
    }

    [Fact]
    public void A_call_takes_the_type_the_police_gave_its_trafficking_report_before_its_own_words()
    {
        using var w = new TestWarehouse();
        Call(w, "L-31", s_preLaw, "TRATA", "Mi hijo esta en un campamento minero y no lo dejan salir.");
        Report(w, "DEN-2006-000031", "182", s_preLaw.AddDays(4), "TRATA DE PERSONAS - SEXUAL", callId: "L-31");

        Determine(w);

        Assert.Equal("SEXUAL_EXPLOITATION", Decision(w, "hotline_call", "L-31").Exploitation);
        Assert.Equal("linked trafficking report modality", ExploitationBasis(w, "hotline_call", "L-31"));

        Determine(w, Shipped() with { CallExploitationSources = ["narrative", "operator_category"] }, batch: 11);
        Assert.Equal("FORCED_LABOUR", Decision(w, "hotline_call", "L-31").Exploitation);
    }

    [Fact]
    public void A_call_that_names_no_exploitation_takes_the_most_frequent_type_of_its_victim_cell_and_a_report_does_not()
    {
        using var w = new TestWarehouse();
        Call(w, "L-40", s_preLaw, "TRATA", "Trabaja en un bar de Puno.");
        Call(w, "L-41", s_preLaw, "TRATA", "La tienen en un bar de Juliaca.");
        Call(w, "L-42", s_preLaw, "TRATA", "Trabaja en una chacra en Puno.");
        Call(w, "L-43", s_preLaw, "TRATA", "Mi prima esta en Piura y ya no contesta el celular.");
        Call(w, "L-44", s_preLaw, "TRATA", "Mi primo esta en Piura y ya no contesta el celular.");
        foreach (var id in new[] { "L-40", "L-41", "L-42", "L-43" })
        {
            Victim(w, id, 'F', 30);
        }

        Victim(w, "L-44", 'M', 30);
        Report(w, "DEN-2006-000043", "152", s_preLaw.AddDays(2), "SECUESTRO", callId: "L-43");

        Determine(w);

        Assert.Equal("SEXUAL_EXPLOITATION", Decision(w, "hotline_call", "L-43").Exploitation);
        Assert.StartsWith("imputed: most frequent type of TIP calls with the same victim sex and victim age group", ExploitationBasis(w, "hotline_call", "L-43"), StringComparison.Ordinal);
        // No typed TIP call of an adult man: nothing to impute from.
        Assert.Equal("UNKNOWN", Decision(w, "hotline_call", "L-44").Exploitation);
        // The report that followed the vague call is TIP through it but takes no imputed type.
        var report = Decision(w, "police_report", "DEN-2006-000043");
        Assert.Equal(("evidence_linked", "UNKNOWN"), (report.Status, report.Exploitation));

        Determine(w, Shipped() with { ImputeUnknownCallsBy = [] }, batch: 11);
        Assert.Equal("UNKNOWN", Decision(w, "hotline_call", "L-43").Exploitation);
    }

    [Fact]
    public void Call_sources_and_imputation_fields_must_be_known_names()
    {
        var text = File.ReadAllText(TipDefinition.DefaultPath);
        var sources = text.Replace("call_sources: [linked_trafficking_report,", "call_sources: [police_guess,", StringComparison.Ordinal);
        var fields = text.Replace("impute_unknown_calls_by: [victim_sex,", "impute_unknown_calls_by: [victim_name,", StringComparison.Ordinal);

        Assert.Matches(@"^tip_definition\.yaml:\d+: call_sources: 'police_guess' is not one of", Assert.Throws<TipwException>(() => TipDefinition.Parse(sources, "tip_definition.yaml")).Message);
        Assert.Matches(@"^tip_definition\.yaml:\d+: impute_unknown_calls_by: 'victim_name' is not one of", Assert.Throws<TipwException>(() => TipDefinition.Parse(fields, "tip_definition.yaml")).Message);
        Assert.Equal(["linked_trafficking_report", "narrative", "linked_report_article", "operator_category"], Shipped().CallExploitationSources);
    }

    [Fact]
    public void A_case_of_another_crime_takes_evidence_only_from_a_report_recorded_as_trafficking_when_the_definition_says_so()
    {
        using var w = new TestWarehouse();
        Call(w, "L-50", s_preLaw, "TRATA", "Mi hija esta en un bar de Puno.");
        Report(w, "DEN-2006-000050", "196", s_preLaw, "ESTAFA", callId: "L-50");
        Report(w, "DEN-2006-000051", "182", s_preLaw, "TRATA DE PERSONAS - SEXUAL");
        Case(w, 1, "FPLIM-2006-0050", s_preLaw.AddDays(20), "COMPLAINT_RECEIVED", "DEN-2006-000050", "196");
        Case(w, 2, "FPLIM-2006-0051", s_preLaw.AddDays(20), "COMPLAINT_RECEIVED", "DEN-2006-000051", "196");
        var shipped = Shipped();
        Assert.False(shipped.CaseEvidenceNeedsRelatedStatute);

        Determine(w, shipped);
        Assert.Equal("evidence_linked", Decision(w, "police_report", "DEN-2006-000050").Status);
        Assert.Equal("evidence_linked", Decision(w, "prosecution_case", "FPLIM-2006-0050").Status);

        Determine(w, shipped with { CaseEvidenceNeedsRelatedStatute = true }, batch: 11);
        // A fraud case whose report is TIP only through a call is not the prosecution of trafficking; one whose report the police
        // recorded as trafficking still is.
        var fraud = Decision(w, "prosecution_case", "FPLIM-2006-0050");
        Assert.Equal(("not_tip", "no TIP statute or evidence"), (fraud.Status, fraud.Basis));
        Assert.Equal("evidence_linked", Decision(w, "prosecution_case", "FPLIM-2006-0051").Status);
    }

    [Fact]
    public void An_invalid_definition_names_the_file_line_and_key()
    {
        var text = File.ReadAllText(TipDefinition.DefaultPath).Replace("recruitment_pattern: \"ofrec", "recruitment_pattern: \"(ofrec", StringComparison.Ordinal);

        var error = Assert.Throws<TipwException>(() => TipDefinition.Parse(text, "tip_definition.yaml"));

        Assert.Matches(@"^tip_definition\.yaml:\d+: recruitment_pattern: ", error.Message);
    }
}
