using TipWarehouse.Linkage.Determination;

namespace TipWarehouse.Linkage.Tests;

/// <summary>The decidability bound of <c>tipw evaluate tip</c>: the best any rule on an evidence signature reaches, on constructed records.</summary>
public sealed class TipEvaluatorTests
{
    private static DecidabilityBound Bound(params (string Signature, int Records, int Tip, int Decided)[] groups) => Bound(null, groups);

    private static DecidabilityBound Bound(IReadOnlySet<string>? mayFlag, params (string Signature, int Records, int Tip, int Decided)[] groups)
    {
        var signatures = new Dictionary<string, string>(StringComparer.Ordinal);
        var truth = new Dictionary<string, bool>(StringComparer.Ordinal);
        var decided = new Dictionary<string, bool>(StringComparer.Ordinal);
        foreach (var (signature, records, tip, flagged) in groups)
        {
            for (var i = 0; i < records; i++)
            {
                var id = signature + "#" + i;
                signatures[id] = signature;
                truth[id] = i < tip;
                decided[id] = i < flagged;
            }
        }

        return DecidabilityBound.Measure(signatures, truth, 0.95, decided, mayFlag);
    }

    [Fact]
    public void A_bound_that_may_not_flag_some_signatures_stops_at_the_recall_the_others_hold()
    {
        // C (a lone TIP record) may not be flagged, as a record without evidence: the best rule flags A, the widest A and B.
        var bound = Bound(new HashSet<string>(["A", "B"], StringComparer.Ordinal), ("A", 10, 9, 0), ("B", 10, 1, 0), ("C", 1, 1, 1));

        Assert.Equal((10, 9), (bound.Best.Flagged, bound.Best.TruePositives));
        Assert.Equal((20, 10), (bound.Widest.Flagged, bound.Widest.TruePositives));
        Assert.Equal(10.0 / 11, bound.Widest.Recall, 10);
        Assert.Null(bound.AtTargetPrecision);
        Assert.Null(bound.AtTargetRecall);
        Assert.False(bound.Groups.Single(g => g.Signature == "C").Flagged);
        // Held out, C's record is not flagged either (nor would it be alone); A's are.
        Assert.Equal((10, 9), (bound.HeldOut.Flagged, bound.HeldOut.TruePositives));
        // Without the restriction the widest rule flags every signature with a TIP record.
        Assert.Equal(1.0, Bound(("A", 10, 9, 0), ("B", 10, 1, 0), ("C", 1, 1, 1)).Widest.Recall, 10);
    }

    [Fact]
    public void The_bound_flags_signatures_by_their_tip_share_and_counts_what_no_rule_decides()
    {
        // A: 9 of 10 TIP; B: 1 of 10; C: a lone TIP record.
        var bound = Bound(("A", 10, 9, 0), ("B", 10, 1, 0), ("C", 1, 1, 1));

        // Flagging C and A: 10 of the 11 TIP records, 1 false; adding B would flag 9 more false for 1 TIP.
        Assert.Equal((11, 10), (bound.Best.Flagged, bound.Best.TruePositives));
        Assert.Equal(10.0 / 11, bound.Best.Precision, 10);
        Assert.Equal(10.0 / 11, bound.Best.Recall, 10);
        // Only C alone reaches precision 0.95; recall 0.95 needs B too.
        Assert.Equal(1.0 / 11, bound.AtTargetPrecision!.Recall, 10);
        Assert.Equal(11.0 / 21, bound.AtTargetRecall!.Precision, 10);
        // Held out, a record is decided by the others of its signature: A's records are all flagged (9 TIP, 1 not), C's lone record is not.
        Assert.Equal((10, 9), (bound.HeldOut.Flagged, bound.HeldOut.TruePositives));
        Assert.Equal(["A", "B"], bound.Groups.Where(g => g.IsMixed).Select(g => g.Signature).Order(StringComparer.Ordinal));
        Assert.Equal(2, bound.Groups.Sum(g => g.Minority));

        var note = bound.Describe("police_report", "fields");
        Assert.Contains("F1 0.9091 (precision 0.9091, recall 0.9091, 11 flagged)", note, StringComparison.Ordinal);
        Assert.Contains("3 signatures, 2 mixed (TIP and not TIP alike) holding 20 records (10 TIP), of which any rule gets at least 2 wrong", note, StringComparison.Ordinal);
        Assert.Contains("flagged by the rule, not by the determination: [A] 9 TIP of 10, 0 flagged", note, StringComparison.Ordinal);
    }

    [Fact]
    public void Pure_signatures_are_decided_perfectly_and_none_is_mixed()
    {
        var bound = Bound(("TIP", 5, 5, 5), ("NOT", 7, 0, 0));

        Assert.Equal((1.0, 1.0), (bound.Best.Precision, bound.Best.Recall));
        Assert.DoesNotContain(bound.Groups, g => g.IsMixed);
        Assert.Equal((5, 5), (bound.HeldOut.Flagged, bound.HeldOut.TruePositives));
        Assert.Contains("flagged by the determination, not by the rule: none", bound.Describe("police_report", "fields"), StringComparison.Ordinal);
    }

    private static readonly DateOnly s_preLaw = new(2006, 5, 2);

    private static TipDefinition Shipped() => TipDefinition.Load(TipDefinition.DefaultPath);

    private static int Crime(TestWarehouse w, string article, DateOnly date) => w.Scalar<int>(
        "SELECT crime_type_key FROM dw.dim_crime_type WHERE penal_article = $a AND valid_from <= $d AND (valid_to IS NULL OR valid_to >= $d)",
        ("a", article), ("d", date.ToDateTime(TimeOnly.MinValue)));

    private static void Report(TestWarehouse w, List<string> truth, string number, string article, int? victimAge, bool isTip, string? callId = null)
    {
        w.Report(number, s_preLaw, TestWarehouse.Lima, w.Unit("CPNP-LIMA", TestWarehouse.Lima), callId, tip: false, crimeTypeKey: Crime(w, article, s_preLaw));
        if (victimAge is { } age)
        {
            w.ReportPerson(number, number + "-V", w.Person(null, "V" + number, 'F'), "VICTIMA", age);
        }

        truth.Add($"{number},{(isTip ? 1 : 0)},{(isTip ? "SEXUAL" : "")}");
    }

    private static void Determine(TestWarehouse w)
    {
        using var transaction = w.Connection.BeginTransaction();
        new TipDeterminationEngine(Shipped()).Run(w.Connection, 10);
        transaction.Commit();
    }

    // Pimping reports of adult victims without a call: 3 of 4 TIP in truth, which nothing the analyst sees tells apart; two pre-law
    // art. 182 reports (confirmed) and a fraud report.
    private static List<string> PimpingWorld(TestWarehouse w)
    {
        var truth = new List<string> { "nro_denuncia,is_tip,exploitation_type" };
        Report(w, truth, "DEN-2006-000101", "181", 30, true);
        Report(w, truth, "DEN-2006-000102", "181", 31, true);
        Report(w, truth, "DEN-2006-000103", "181", 32, true);
        Report(w, truth, "DEN-2006-000104", "181", 33, false);
        Report(w, truth, "DEN-2006-000105", "182", null, true);
        Report(w, truth, "DEN-2006-000106", "182", null, true);
        Report(w, truth, "DEN-2006-000107", "196", null, false);
        Determine(w);
        return truth;
    }

    private static T WithTruth<T>(Action<string> write, Func<string, T> evaluate)
    {
        var folder = Directory.CreateTempSubdirectory("tipw-truth-");
        try
        {
            File.WriteAllLines(Path.Combine(folder.FullName, "police_reports.csv"), ["nro_denuncia,is_tip,exploitation_type"]);
            File.WriteAllLines(Path.Combine(folder.FullName, "hotline_labels.csv"), ["id_llamada,is_tip,exploitation_type"]);
            File.WriteAllLines(Path.Combine(folder.FullName, "prosecution_cases.csv"), ["nro_caso,is_tip"]);
            write(folder.FullName);
            return evaluate(folder.FullName);
        }
        finally
        {
            folder.Delete(recursive: true);
        }
    }

    [Fact]
    public void Evaluate_tip_prints_the_ceiling_of_police_reports_from_their_evidence_signature()
    {
        using var w = new TestWarehouse();
        var truth = PimpingWorld(w);

        var table = WithTruth(dir => File.WriteAllLines(Path.Combine(dir, "police_reports.csv"), truth), dir => TipEvaluator.Evaluate(w.Connection, dir, Shipped()));

        var rows = table.Rows.ToDictionary(r => (string)r[0]!);
        // The determination flags the two art. 182 reports; the best rule on the signature flags the pimping reports too.
        Assert.Equal(new object?[] { 1.0, 0.4, 0.5714, 5L, 2L }, rows["police_report"][1..]);
        Assert.Equal(new object?[] { 0.8333, 1.0, 0.9091, 5L, 6L }, rows["police_report_ceiling"][1..]);
        var note = table.Notes.Single(n => n.StartsWith("police_report_ceiling:", StringComparison.Ordinal));
        Assert.Contains("Largest undecidable: [art. 181 (related) | call none | victim > 17] 3 TIP of 4", note, StringComparison.Ordinal);
        Assert.DoesNotContain(table.Notes, n => n.StartsWith("Warning:", StringComparison.Ordinal));
    }

    [Fact]
    public void Evaluate_tip_bounds_what_a_rule_that_counts_no_record_without_evidence_reaches_and_names_the_true_calls_linkage_missed()
    {
        using var w = new TestWarehouse();
        var truth = PimpingWorld(w);
        // DEN-2006-000101 came from a hotline call in truth that the warehouse never linked to it.
        string[] links = ["case_id,id_llamada,police_report,case_number", "K1,L2006050200001,DEN-2006-000101,", "K2,,DEN-2006-000102,"];

        var table = WithTruth(
            dir =>
            {
                File.WriteAllLines(Path.Combine(dir, "police_reports.csv"), truth);
                File.WriteAllLines(Path.Combine(dir, "links.csv"), links);
            },
            dir => TipEvaluator.Evaluate(w.Connection, dir, Shipped()));

        // Only the two art. 182 reports carry an evidence element (a confirmed statute): the adult pimping reports without a call and the
        // fraud report have none, so no rule the definition allows counts the three TIP pimping reports, whatever precision it accepts.
        var rows = table.Rows.ToDictionary(r => (string)r[0]!);
        Assert.Equal(new object?[] { 1.0, 0.4, 0.5714, 5L, 2L }, rows["police_report_evidence_ceiling"][1..]);
        var note = table.Notes.Single(n => n.StartsWith("police_report_evidence_ceiling:", StringComparison.Ordinal));
        Assert.Contains("the highest recall any such rule reaches is 0.4000 (every signature with evidence and a TIP record flagged: 2 records, precision 1.0000)", note, StringComparison.Ordinal);
        Assert.Contains("5 records have no evidence element, 3 of them TIP in truth", note, StringComparison.Ordinal);
        Assert.Contains("[art. 181 (related) | call none | victim > 17 | no evidence element] 3 TIP of 4", note, StringComparison.Ordinal);
        Assert.Contains("Of those 3 TIP records, 1 have a hotline call in the truth's links", note, StringComparison.Ordinal);
        // The unrestricted ceiling still flags the pimping signature.
        Assert.Equal(new object?[] { 0.8333, 1.0, 0.9091, 5L, 6L }, rows["police_report_ceiling"][1..]);
    }

    [Fact]
    public void A_child_victim_or_a_linked_call_is_an_evidence_element_of_a_report_and_a_reports_element_is_one_of_its_case()
    {
        using var w = new TestWarehouse();
        w.ActiveModel();
        w.Call("L-40", s_preLaw, TestWarehouse.Lima, w.Unit("CPNP-LIMA", TestWarehouse.Lima), tip: false);
        w.Score("L-40", 0.1);
        Report(w, [], "DEN-2006-000040", "181", 30, false, callId: "L-40");  // a call scored 0.1: still an element a rule may read
        Report(w, [], "DEN-2006-000041", "196", 15, false);                   // a child victim, under a statute of no series
        Report(w, [], "DEN-2006-000042", "181", 30, false);                   // nothing
        w.Event(1, "FPLIM-2006-0040", s_preLaw, "COMPLAINT_RECEIVED", "DEN-2006-000040");
        w.Event(2, "FPLIM-2006-0042", s_preLaw, "COMPLAINT_RECEIVED", "DEN-2006-000042");
        w.Execute("UPDATE dw.fact_case_event SET charged_articles = '181'");
        Determine(w);

        var reports = EvidenceSignature.Read(w.Connection, "police_report", Shipped());
        Assert.True(reports["DEN-2006-000040"].HasEvidence);
        Assert.True(reports["DEN-2006-000041"].HasEvidence);
        Assert.False(reports["DEN-2006-000042"].HasEvidence);
        var cases = EvidenceSignature.Read(w.Connection, "prosecution_case", Shipped());
        Assert.True(cases["FPLIM-2006-0040"].HasEvidence);
        Assert.False(cases["FPLIM-2006-0042"].HasEvidence);
        // Without the rules that read them, calls and child victims are no elements.
        var text = File.ReadAllText(TipDefinition.DefaultPath);
        var strict = TipDefinition.Parse(text.Replace("linked_tip_call: true", "linked_tip_call: false", StringComparison.Ordinal)
            .Replace("  minor_victim:\n    max_age: 17\n    articles: [\"179\", \"180\", \"181\", \"181-A\", \"152\", \"168\", \"153\", \"128\"]\n", "", StringComparison.Ordinal), "edited.yaml");
        Assert.Null(strict.MinorVictimMaxAge);
        Assert.False(EvidenceSignature.Read(w.Connection, "police_report", strict)["DEN-2006-000040"].HasEvidence);
        Assert.False(EvidenceSignature.Read(w.Connection, "police_report", strict)["DEN-2006-000041"].HasEvidence);
    }

    [Fact]
    public void Signatures_lists_each_signature_with_what_no_rule_decides_there_undecidable_first()
    {
        using var w = new TestWarehouse();
        var truth = PimpingWorld(w);

        var table = WithTruth(dir => File.WriteAllLines(Path.Combine(dir, "police_reports.csv"), truth),
            dir => TipEvaluator.Signatures(w.Connection, dir, Shipped(), "police_report"));

        Assert.Equal(["level", "signature", "records", "true_tip", "decided_tip", "determination", "least_wrong", "determination_wrong", "ceiling_rule", "evidence"], table.Columns.Select(c => c.Name));
        Assert.Equal(3, table.Rows.Count);
        // The pimping signature: 3 TIP of 4, the determination flags none (3 missed), any rule errs on 1; the ceiling's rule flags it.
        Assert.Equal(new object?[] { "police_report", "art. 181 (related) | call none | victim > 17", 4L, 3L, 0L, "not TIP", 1L, 3L, "TIP", "no" }, table.Rows[0]);
        Assert.Equal(new object?[] { "police_report", "art. 182 (confirmed) | call none | victim age unknown", 2L, 2L, 2L, "TIP", 0L, 0L, "TIP", "yes" }, table.Rows[1]);
        Assert.Equal(new object?[] { "police_report", "art. 196 | call none | victim age unknown", 1L, 0L, 0L, "not TIP", 0L, 0L, "not TIP", "no" }, table.Rows[2]);
        Assert.Contains(table.Notes, n => n.StartsWith("police_report: 3 signatures of 7 records; 1 mixed (TIP and not TIP alike) holding 4 records, of which any rule on the signature gets at least 1 wrong; the determination gets 3 wrong in all.", StringComparison.Ordinal));
        Assert.Throws<TipWarehouse.Core.UsageException>(() => TipEvaluator.Signatures(w.Connection, "unused", Shipped(), "hotline_call"));
    }

    [Fact]
    public void The_evidence_signature_is_read_from_the_definition_so_another_cut_article_list_law_date_or_age_gives_another()
    {
        using var w = new TestWarehouse();
        w.ActiveModel();
        w.Call("L-30", s_preLaw, TestWarehouse.Lima, w.Unit("CPNP-LIMA", TestWarehouse.Lima), tip: false);
        w.Execute("UPDATE dw.fact_hotline_call SET operator_category = 'ORIENTACION' WHERE call_id = 'L-30'");
        w.Score("L-30", 0.7);
        Report(w, [], "DEN-2006-000030", "179", 16, true, callId: "L-30");
        var text = File.ReadAllText(TipDefinition.DefaultPath);
        string SignatureUnder(string from, string to)
        {
            Assert.Contains(from, text, StringComparison.Ordinal);
            var definition = TipDefinition.Parse(text.Replace(from, to, StringComparison.Ordinal), "edited.yaml");
            return EvidenceSignature.Of(w.Connection, "police_report", definition)["DEN-2006-000030"];
        }

        Assert.Equal("art. 179 (related) | call 0.5-0.8 | victim <= 17", EvidenceSignature.Of(w.Connection, "police_report", Shipped())["DEN-2006-000030"]);
        Assert.Equal("art. 179 (related) | call >= 0.65 | victim <= 17", SignatureUnder("linked_call_min_probability: 0.8", "linked_call_min_probability: 0.65"));
        Assert.Equal("art. 179 (related) | call < 0.75 | victim <= 17", SignatureUnder("min_probability: 0.5", "min_probability: 0.75"));
        Assert.Equal("art. 179 | call 0.5-0.8 | victim <= 17", SignatureUnder("  - { article: \"179\", series: sexual_exploitation_of_others }\n", ""));
        Assert.Equal("art. 179 (related) from 2006-01-01 | call 0.5-0.8 | victim <= 17", SignatureUnder("from: 2007-01-16", "from: 2006-01-01"));
        Assert.Equal("art. 179 (related) | call 0.5-0.8 | victim > 15", SignatureUnder("max_age: 17", "max_age: 15"));
        Assert.Equal("art. 179 (related) | call unscored | victim <= 17", SignatureUnder("    enabled: true", "    enabled: false"));
        Assert.Contains("confirmed: 153 from 2006-01-01, 153-A from 2006-01-01, 182 to 2007-01-15",
            EvidenceSignature.Fields("police_report", TipDefinition.Parse(text.Replace("from: 2007-01-16", "from: 2006-01-01", StringComparison.Ordinal), "edited.yaml")), StringComparison.Ordinal);
    }

    [Fact]
    public void Series_puts_the_monthly_reports_figures_beside_the_truths_and_names_each_missed_or_added_case_with_its_signature()
    {
        using var w = new TestWarehouse();
        void Event(long sequence, string caseNumber, DateOnly date, string stage, string articles, int defendants = 1, string? outcome = null)
        {
            w.Event(sequence, caseNumber, date, stage, null, outcome: outcome);
            w.Execute("UPDATE dw.fact_case_event SET charged_articles = $a, defendant_count = $d, is_tip_related = false WHERE event_sequence = $s",
                ("a", articles), ("d", defendants), ("s", sequence));
        }

        Event(1, "FPLIM-2005-0001", new(2005, 3, 10), "COMPLAINT_RECEIVED", "182");   // TIP, and TIP in truth
        Event(2, "FPLIM-2005-0002", new(2005, 6, 1), "COMPLAINT_RECEIVED", "168");    // forced labour without evidence: TIP in truth, missed
        Event(3, "FPLIM-2006-0001", new(2006, 9, 1), "FORMALIZATION", "181", defendants: 3); // pimping, not TIP
        Event(4, "FPLIM-2006-0002", new(2006, 3, 1), "COMPLAINT_RECEIVED", "182");    // TIP by statute, not TIP in truth: added
        Event(5, "FPLIM-2006-0002", new(2006, 11, 5), "SENTENCE", "182", outcome: "CONDENA");
        Determine(w);

        var table = WithTruth(
            dir =>
            {
                File.WriteAllLines(Path.Combine(dir, "prosecution_cases.csv"), ["nro_caso,is_tip", "FPLIM-2005-0001,1", "FPLIM-2005-0002,1", "FPLIM-2006-0001,0", "FPLIM-2006-0002,0"]);
                File.WriteAllText(Path.Combine(dir, "summary.json"), """
                    { "from": "2005-01-01", "to": "2007-12-31", "tip_cases_passed": { "2005": 2, "2006-01..07": 0, "2006-08..12": 0 },
                      "pimping_charged_2006": 3, "tip_convictions": {} }
                    """);
            },
            dir => TipEvaluator.Series(w.Connection, dir, Shipped()));

        var rows = table.Rows.ToDictionary(r => ((string)r[0]!, (string)r[1]!), r => r[2..]);
        Assert.Equal(["2005", "2006", "2006-01..07", "2006-08..12"], table.Rows.Select(r => (string)r[0]!).Distinct());
        // period, measure -> warehouse, truth, simulator, missed, added
        Assert.Equal(new object?[] { 1L, 2L, 2L, 1L, 0L }, rows[("2005", "tip_cases_sent_to_prosecution")]);
        Assert.Equal(new object?[] { 0L, 0L, 0L, 0L, 0L }, rows[("2005", "tip_convictions")]);
        Assert.Equal(new object?[] { 1L, 0L, 0L, 0L, 1L }, rows[("2006", "tip_cases_sent_to_prosecution")]);
        Assert.Equal(new object?[] { 1L, 0L, 0L, 0L, 1L }, rows[("2006-01..07", "tip_cases_sent_to_prosecution")]);
        Assert.Equal(new object?[] { 0L, 0L, 0L, 0L, 0L }, rows[("2006-08..12", "tip_cases_sent_to_prosecution")]);
        Assert.Equal(new object?[] { 1L, 0L, 0L, 0L, 1L }, rows[("2006", "tip_convictions")]);
        Assert.Equal(new object?[] { 3L, null, 3L, null, null }, rows[("2006", "persons_charged_pimping")]);
        Assert.Equal(new object?[] { 0L, null, null, null, null }, rows[("2005", "persons_charged_pimping")]);
        // The warehouse column is the monthly report's own view.
        Assert.Equal(1L, w.Scalar<long>("SELECT CAST(sum(tip_cases_sent_to_prosecution) AS BIGINT) FROM rpt.v_tip_monthly WHERE year_month BETWEEN '2005-01' AND '2005-12'"));
        Assert.Contains(table.Notes, n => n.StartsWith("2005 tip_cases_sent_to_prosecution: missed FPLIM-2005-0002, first event 2005-06, truth TIP, determined not_tip", StringComparison.Ordinal)
            && n.Contains("signature [art. 168 (related) | report none | call none]: 1 TIP of 1 cases with it.", StringComparison.Ordinal));
        Assert.Contains(table.Notes, n => n.StartsWith("2006 tip_convictions: added FPLIM-2006-0002, first event 2006-03, truth not TIP, determined confirmed_statute", StringComparison.Ordinal));
        Assert.DoesNotContain(table.Notes, n => n.StartsWith("2006-01..07", StringComparison.Ordinal));
    }
}
