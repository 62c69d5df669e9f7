using TipWarehouse.Linkage.Determination;

namespace TipWarehouse.Linkage.Tests;

/// <summary>The decidability bound of <c>tipw evaluate tip</c>: the best any rule on an evidence signature reaches, on constructed records.</summary>
public sealed class TipEvaluatorTests
{
    private static DecidabilityBound Bound(params (string Signature, int Records, int Tip, int Decided)[] groups)
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

        return DecidabilityBound.Measure(signatures, truth, 0.95, decided);
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

    [Fact]
    public void Evaluate_tip_prints_the_ceiling_of_police_reports_from_their_evidence_signature()
    {
        using var w = new TestWarehouse();
        var date = new DateOnly(2006, 5, 2);
        var unit = w.Unit("CPNP-LIMA", TestWarehouse.Lima);
        int Crime(string article) => w.Scalar<int>(
            "SELECT crime_type_key FROM dw.dim_crime_type WHERE penal_article = $a AND valid_from <= $d AND (valid_to IS NULL OR valid_to >= $d)",
            ("a", article), ("d", date.ToDateTime(TimeOnly.MinValue)));
        var truth = new List<string> { "nro_denuncia,is_tip,exploitation_type" };
        void Report(string number, string article, int? victimAge, bool isTip)
        {
            w.Report(number, date, TestWarehouse.Lima, unit, null, tip: false, crimeTypeKey: Crime(article));
            if (victimAge is { } age)
            {
                w.ReportPerson(number, number + "-V", w.Person(null, "V" + number, 'F'), "VICTIMA", age);
            }

            truth.Add($"{number},{(isTip ? 1 : 0)},{(isTip ? "SEXUAL" : "")}");
        }

        // Pimping reports of adult victims without a call: 3 of 4 TIP in truth, which nothing the analyst sees tells apart.
        Report("DEN-2006-000101", "181", 30, true);
        Report("DEN-2006-000102", "181", 31, true);
        Report("DEN-2006-000103", "181", 32, true);
        Report("DEN-2006-000104", "181", 33, false);
        Report("DEN-2006-000105", "182", null, true);
        Report("DEN-2006-000106", "182", null, true);
        Report("DEN-2006-000107", "196", null, false);
        using (var transaction = w.Connection.BeginTransaction())
        {
            new TipDeterminationEngine(TipDefinition.Load(TipDefinition.DefaultPath)).Run(w.Connection, 10);
            transaction.Commit();
        }

        var folder = Directory.CreateTempSubdirectory("tipw-truth-");
        try
        {
            File.WriteAllLines(Path.Combine(folder.FullName, "police_reports.csv"), truth);
            File.WriteAllLines(Path.Combine(folder.FullName, "hotline_labels.csv"), ["id_llamada,is_tip,exploitation_type"]);
            File.WriteAllLines(Path.Combine(folder.FullName, "prosecution_cases.csv"), ["nro_caso,is_tip"]);

            var table = TipEvaluator.Evaluate(w.Connection, folder.FullName);

            var rows = table.Rows.ToDictionary(r => (string)r[0]!);
            // The determination flags the two art. 182 reports; the best rule on the signature flags the pimping reports too.
            Assert.Equal(new object?[] { 1.0, 0.4, 0.5714, 5L, 2L }, rows["police_report"][1..]);
            Assert.Equal(new object?[] { 0.8333, 1.0, 0.9091, 5L, 6L }, rows["police_report_ceiling"][1..]);
            var note = table.Notes.Single(n => n.StartsWith("police_report_ceiling:", StringComparison.Ordinal));
            Assert.Contains("Largest undecidable: [art. 181 | call none | adult victim] 3 TIP of 4", note, StringComparison.Ordinal);
        }
        finally
        {
            folder.Delete(recursive: true);
        }
    }
}
