using TipWarehouse.Schema;

namespace TipWarehouse.Linkage.Tests;

public sealed class LinkageEngineTests
{
    private static readonly DateOnly s_day = new(2006, 5, 2);

    // A hotline call, the report that cites it, and a prosecution case that cites the report: the happy path.
    private static void AddReferencedChain(TestWarehouse w)
    {
        var unit = w.Unit("CPNP-LIMA", TestWarehouse.Lima);
        var victimCall = w.Person("41234567", "ANA", 'F', "hotline");
        var victimReport = w.Person("41234567", "ANA", 'F');
        var suspect = w.Person("09876543", "PEDRO", 'M');
        var defendant = w.Person("09876543", "PEDRO", 'M', "prosecution");
        w.Call("L-0001", s_day, TestWarehouse.Lima, unit, victimCall, 16, 'F');
        w.Report("DEN-2006-000001", s_day.AddDays(3), TestWarehouse.Lima, unit, "L-0001");
        w.ReportPerson("DEN-2006-000001", "P1", victimReport, "VICTIMA", 16);
        w.ReportPerson("DEN-2006-000001", "P2", suspect, "DENUNCIADO", 34);
        w.Arrest("A1", "DEN-2006-000001", suspect, s_day.AddDays(5));
        w.Event(1, "FPLIM-2006-0001", s_day.AddDays(20), "COMPLAINT_RECEIVED", "DEN-2006-000001");
        w.Defendant(1, 1, defendant, 34);
        w.Event(2, "FPLIM-2006-0001", s_day.AddDays(40), "FORMALIZATION", "den2006-000001");
        w.Defendant(2, 1, defendant, 34);
    }

    [Fact]
    public void Exact_references_link_call_report_and_prosecution_into_one_case()
    {
        using var w = new TestWarehouse();
        AddReferencedChain(w);

        w.Link(1);

        var links = w.Links();
        Assert.Contains(links, l => l is { LinkType: LinkTypes.HotlinePolice, Left: "L-0001", Right: "DEN-2006-000001", Method: LinkTypes.MethodExact, Status: LinkTypes.StatusLinked });
        Assert.Contains(links, l => l is { LinkType: LinkTypes.PoliceProsecution, Left: "DEN-2006-000001", Right: "FPLIM-2006-0001", Method: LinkTypes.MethodExact, Status: LinkTypes.StatusLinked });
        var caseId = w.CaseOf(LinkTypes.RecordHotlineCall, "L-0001");
        Assert.Equal(caseId, w.CaseOf(LinkTypes.RecordProsecutionCase, "FPLIM-2006-0001"));
        Assert.Equal(CaseAssigner.HashId(new RecordRef(LinkTypes.RecordHotlineCall, "L-0001")), caseId);
        Assert.All(links, l => Assert.Equal(caseId, l.CaseId));
    }

    /// <summary>Records step progress reports in order, synchronously.</summary>
    private sealed class RecordingProgress : IProgress<TipWarehouse.Core.Pipelines.StepProgress>
    {
        public List<TipWarehouse.Core.Pipelines.StepProgress> Reports { get; } = [];

        public void Report(TipWarehouse.Core.Pipelines.StepProgress value) => Reports.Add(value);
    }

    [Fact]
    public void A_run_reports_each_phase_with_its_count_and_no_made_up_total()
    {
        using var w = new TestWarehouse();
        AddReferencedChain(w);
        var progress = new RecordingProgress();
        LinkageRunSummary summary;
        using (var transaction = w.Connection.BeginTransaction())
        {
            summary = new LinkageEngine(new LinkageOptions()) { Progress = progress }.Run(w.Connection, 1);
            transaction.Commit();
        }

        Assert.Equal(
            ["records", "blocking hotline_police", "EM hotline_police", "candidates hotline_police", "blocking police_prosecution", "EM police_prosecution", "candidates police_prosecution", "assign", "lifecycle"],
            progress.Reports.Select(r => r.Phase));
        Assert.All(progress.Reports, r => Assert.Null(r.Total));
        var byPhase = progress.Reports.ToDictionary(r => r.Phase);
        Assert.Equal((3, "records"), (byPhase["records"].Done, byPhase["records"].Unit));
        foreach (var type in summary.LinkTypes)
        {
            Assert.Equal((type.CandidatePairs, "pairs"), ((int)byPhase["blocking " + type.LinkType].Done, byPhase["blocking " + type.LinkType].Unit));
            Assert.Equal(type.Model.Iterations, byPhase["EM " + type.LinkType].Done);
        }

        Assert.Equal(summary.CaseRecords, byPhase["assign"].Done);
        Assert.Equal(summary.LifecycleRowsChanged, byPhase["lifecycle"].Done);
    }

    [Fact]
    public void Lifecycle_row_has_milestones_lags_stage_and_counts()
    {
        using var w = new TestWarehouse();
        AddReferencedChain(w);

        w.Link(7);

        var row = w.Rows("""
            SELECT l.first_call_date_key, l.police_report_date_key, l.first_arrest_date_key, l.prosecution_opened_date_key, l.formalization_date_key,
                   l.trial_date_key, l.days_call_to_report, l.days_report_to_prosecution, l.days_prosecution_to_formalization, s.stage_code, l.outcome,
                   l.hotline_call_count, l.police_report_count, l.arrest_count, l.case_event_count, l.last_updated_batch_id, l.is_tip_related
            FROM dw.fact_case_lifecycle l JOIN dw.dim_case_stage s ON s.case_stage_key = l.current_stage_key
            """, r => (
                Call: Convert.ToInt32(r.GetValue(0)), Report: Convert.ToInt32(r.GetValue(1)), Arrest: Convert.ToInt32(r.GetValue(2)),
                Opened: Convert.ToInt32(r.GetValue(3)), Formalized: Convert.ToInt32(r.GetValue(4)), Trial: Convert.ToInt32(r.GetValue(5)),
                CallToReport: Convert.ToInt32(r.GetValue(6)), ReportToProsecution: Convert.ToInt32(r.GetValue(7)), ToFormalization: Convert.ToInt32(r.GetValue(8)),
                Stage: r.GetString(9), Outcome: r.GetString(10), Calls: Convert.ToInt32(r.GetValue(11)), Reports: Convert.ToInt32(r.GetValue(12)),
                Arrests: Convert.ToInt32(r.GetValue(13)), Events: Convert.ToInt32(r.GetValue(14)), Batch: Convert.ToInt64(r.GetValue(15)), Tip: r.GetBoolean(16)));

        var only = Assert.Single(row);
        Assert.Equal(TestWarehouse.Key(s_day), only.Call);
        Assert.Equal(TestWarehouse.Key(s_day.AddDays(3)), only.Report);
        Assert.Equal(TestWarehouse.Key(s_day.AddDays(5)), only.Arrest);
        Assert.Equal(TestWarehouse.Key(s_day.AddDays(20)), only.Opened);
        Assert.Equal(TestWarehouse.Key(s_day.AddDays(40)), only.Formalized);
        Assert.Equal(-1, only.Trial);
        Assert.Equal((3, 17, 20), (only.CallToReport, only.ReportToProsecution, only.ToFormalization));
        Assert.Equal(("FORMALIZATION", "EN_CURSO"), (only.Stage, only.Outcome));
        Assert.Equal((1, 1, 1, 2), (only.Calls, only.Reports, only.Arrests, only.Events));
        Assert.Equal(7, only.Batch);
        Assert.True(only.Tip);
    }

    [Fact]
    public void Mistyped_citations_link_as_exact_normalized_and_a_wrong_report_hit_by_a_typo_loses_to_the_true_one()
    {
        using var w = new TestWarehouse();
        var unit = w.Unit("CPNP-LIMA", TestWarehouse.Lima);
        var suspect = w.Person("11111111", "JUAN", 'M');
        var other = w.Person("22222222", "LUIS", 'M');
        w.Report("DEN-2006-000123", s_day, TestWarehouse.Lima, unit);
        w.ReportPerson("DEN-2006-000123", "P1", suspect, "DENUNCIADO", 30);

        // The transposed number of the citation exists: another report, a year earlier, with another suspect.
        w.Report("DEN-2006-001023", s_day.AddDays(-300), TestWarehouse.Cusco, w.Unit("CPNP-CUSCO", TestWarehouse.Cusco));
        w.ReportPerson("DEN-2006-001023", "P9", other, "DENUNCIADO", 50);
        var defendant = w.Person("11111111", "JUAN", 'M', "prosecution");
        w.Event(1, "FPLIM-2006-0007", s_day.AddDays(15), "COMPLAINT_RECEIVED", "DEN-2006-001023");
        w.Defendant(1, 1, defendant, 30);

        w.Link(1);

        var link = Assert.Single(w.Links(), l => l.Status == LinkTypes.StatusLinked && l.LinkType == LinkTypes.PoliceProsecution);
        Assert.Equal(("DEN-2006-000123", "FPLIM-2006-0007", LinkTypes.MethodExactNormalized), (link.Left, link.Right, link.Method));
    }

    [Fact]
    public void Police_prosecution_pairs_a_report_only_with_cases_sharing_a_person_or_citing_it()
    {
        using var w = new TestWarehouse();
        var crime = w.Scalar<int>("SELECT min(crime_type_key) FROM dw.dim_crime_type WHERE crime_type_key > 0");
        var otherCrime = w.Scalar<int>("SELECT max(crime_type_key) FROM dw.dim_crime_type WHERE crime_type_key > 0");
        Assert.NotEqual(crime, otherCrime);
        var unit = w.Unit("CPNP-LIMA", TestWarehouse.Lima);
        w.Report("DEN-2006-000300", s_day, TestWarehouse.Lima, unit, crimeTypeKey: crime);
        w.ReportPerson("DEN-2006-000300", "P1", w.Person("11111111", "JUAN", 'M'), "DENUNCIADO", 30);

        // Paired: a defendant shared (another district of the department, 200 days on), and a case citing the report
        // (in another department, 300 days on: a cited number is a pair wherever the case is).
        w.Event(1, "FP-PERSON", s_day.AddDays(200), "COMPLAINT_RECEIVED", null, TestWarehouse.Ancon, crimeTypeKey: otherCrime);
        var defendant = w.Person("11111111", "JUAN", 'M', "prosecution");
        w.Defendant(1, 1, defendant, 30);
        w.Event(8, "FP-CITED", s_day.AddDays(300), "COMPLAINT_RECEIVED", "DEN-2006-000300", TestWarehouse.Cusco, crimeTypeKey: otherCrime);

        // Not paired, though in the department's 7/400-day window the broad block covers: nothing shared, the same
        // district or the same crime type soon after but no person or number (the model is fitted on the broad block,
        // sampled, so these still count in u and EM); nor a shared defendant in another department.
        w.Event(4, "FP-NOTHING", s_day.AddDays(30), "COMPLAINT_RECEIVED", null, TestWarehouse.Ancon, crimeTypeKey: otherCrime);
        w.Event(2, "FP-DISTRICT", s_day.AddDays(50), "COMPLAINT_RECEIVED", null, TestWarehouse.Lima, crimeTypeKey: otherCrime);
        w.Event(3, "FP-CRIME", s_day.AddDays(30), "COMPLAINT_RECEIVED", null, TestWarehouse.Ancon, crimeTypeKey: crime);
        w.Event(6, "FP-CUSCO", s_day.AddDays(30), "COMPLAINT_RECEIVED", null, TestWarehouse.Cusco, crimeTypeKey: crime);
        w.Defendant(6, 1, defendant, 30);

        // Every blocked pair is kept as a candidate when the review threshold is below any weight.
        var summary = w.Link(1, new LinkageOptions { PoliceProsecution = new LinkageOptions().PoliceProsecution with { ReviewThreshold = -1000 } });

        Assert.Equal(2, summary.LinkTypes.Single(t => t.LinkType == LinkTypes.PoliceProsecution).CandidatePairs);
        Assert.Equal(
            ["FP-CITED", "FP-PERSON"],
            w.Rows("SELECT right_record_id FROM meta.linkage_candidate WHERE link_type = 'police_prosecution' ORDER BY 1", r => r.GetString(0)));
    }

    [Fact]
    public void Hotline_police_pairs_a_call_only_with_reports_sharing_a_victim_pseudonym_or_age_or_with_few_competing_calls()
    {
        using var w = new TestWarehouse();
        var unit = w.Unit("CPNP-LIMA", TestWarehouse.Lima);
        var otherUnit = w.Unit("CPNP-LIMA-2", TestWarehouse.Lima);
        var quietUnit = w.Unit("CPNP-CUSCO", TestWarehouse.Cusco);
        w.Call("L-0300", s_day, TestWarehouse.Lima, unit, w.Person("40000001", "ROSA", 'F', "hotline"), 16, 'F');
        // Four more calls referred to the same unit that day, with no victim noted: every report of the unit in the window
        // then competes for five calls (competition level 7: 4 to 7 calls) and is paired only through a shared victim pseudonym
        // or age.
        for (var i = 1; i <= 4; i++)
        {
            w.Call($"L-030{i}", s_day, TestWarehouse.Lima, unit);
        }

        void ReportWithVictim(string number, int unitKey, string inei, string? dni, string? name, int age, int days = 3)
        {
            w.Report(number, s_day.AddDays(days), inei, unitKey);
            w.ReportPerson(number, "P1", w.Person(dni, name, 'F'), "VICTIMA", age);
        }

        ReportWithVictim("DEN-DNI", unit, TestWarehouse.Lima, "40000001", "OTRA", 30);
        ReportWithVictim("DEN-NAME", unit, TestWarehouse.Lima, "40000002", "ROSA", 40);
        ReportWithVictim("DEN-AGE-DISTRICT", otherUnit, TestWarehouse.Lima, "40000003", "LUZ", 16);
        ReportWithVictim("DEN-NOTHING", unit, TestWarehouse.Lima, "40000004", "EVA", 50);
        ReportWithVictim("DEN-DNI-LATE", unit, TestWarehouse.Lima, "40000001", "ROSA", 16, days: 30);
        ReportWithVictim("DEN-DNI-CUSCO", quietUnit, TestWarehouse.Cusco, "40000001", "ROSA", 16);
        // A quiet unit: its only call in the window and its only report (the Cusco one) pair whatever they share (competition
        // level 9: one call).
        w.Call("L-0400", s_day, TestWarehouse.Cusco, quietUnit);

        var summary = w.Link(1, new LinkageOptions { HotlinePolice = new LinkageOptions().HotlinePolice with { ReviewThreshold = -1000 } });

        // Paired: the shared DNI, the shared phonetic name, the shared age (at another unit of the call's district), and in
        // the quiet unit the lone call and report. Not paired: the report sharing nothing with five competing calls, the
        // report with the same victim 30 days on (outside the window), the report in Cusco with the same victim (another
        // unit and district). The competition level (the 9th) is counted over the whole broad block, not the passes' pairs.
        Assert.Equal(4, summary.LinkTypes.Single(t => t.LinkType == LinkTypes.HotlinePolice).CandidatePairs);
        Assert.Equal(
            ["L-0300 DEN-AGE-DISTRICT 7", "L-0300 DEN-DNI 7", "L-0300 DEN-NAME 7", "L-0400 DEN-DNI-CUSCO 9"],
            w.Rows("SELECT left_record_id || ' ' || right_record_id || ' ' || split_part(levels, ',', 9) FROM meta.linkage_candidate WHERE link_type = 'hotline_police' ORDER BY 1", r => r.GetString(0)));
    }

    [Fact]
    public void A_report_without_call_reference_links_to_the_call_by_victim_place_and_time()
    {
        using var w = new TestWarehouse();
        var unit = w.Unit("CPNP-ANCON", TestWarehouse.Ancon);
        w.Call("L-0100", s_day, TestWarehouse.Ancon, unit, w.Person("45555555", "ROSA", 'F', "hotline"), 15, 'F');
        w.Call("L-0101", s_day.AddDays(1), TestWarehouse.Ancon, unit, w.Person("47777777", "MARIA", 'F', "hotline"), 22, 'F');
        w.Report("DEN-2006-000200", s_day.AddDays(4), TestWarehouse.Ancon, unit);
        w.ReportPerson("DEN-2006-000200", "P1", w.Person("45555555", "ROSA", 'F'), "VICTIMA", 15);

        w.Link(1);

        var link = Assert.Single(w.Links(), l => l.LinkType == LinkTypes.HotlinePolice);
        Assert.Equal(("L-0100", "DEN-2006-000200", LinkTypes.MethodProbabilistic, LinkTypes.StatusLinked), (link.Left, link.Right, link.Method, link.Status));
    }

    [Fact]
    public void Rerun_without_new_data_changes_nothing()
    {
        using var w = new TestWarehouse();
        AddReferencedChain(w);
        w.Link(1);
        var before = w.Snapshot();

        var second = w.Link(2);

        Assert.Equal(before, w.Snapshot());
        Assert.Equal(0, second.MembershipsChanged);
        Assert.Equal(0, second.LifecycleRowsChanged);
    }

    [Fact]
    public void Late_and_out_of_order_events_update_the_snapshot_in_place_and_keep_the_case_id()
    {
        using var w = new TestWarehouse();
        AddReferencedChain(w);
        w.Link(1);
        var caseId = w.CaseOf(LinkTypes.RecordPoliceReport, "DEN-2006-000001");

        // A trial arrives, and an accusation dated before it arrives after it (reported late).
        w.Event(3, "FPLIM-2006-0001", s_day.AddDays(200), "TRIAL", null);
        w.Event(4, "FPLIM-2006-0001", s_day.AddDays(120), "ACCUSATION", "DEN-2006-000001", reportedOn: s_day.AddDays(260));
        w.Link(2);

        Assert.Equal(caseId, w.CaseOf(LinkTypes.RecordProsecutionCase, "FPLIM-2006-0001"));
        var row = w.Rows("""
            SELECT l.accusation_date_key, l.trial_date_key, l.days_formalization_to_trial, s.stage_code, l.case_event_count, l.last_updated_batch_id
            FROM dw.fact_case_lifecycle l JOIN dw.dim_case_stage s ON s.case_stage_key = l.current_stage_key WHERE l.case_id = $c
            """, r => (Convert.ToInt32(r.GetValue(0)), Convert.ToInt32(r.GetValue(1)), Convert.ToInt32(r.GetValue(2)), r.GetString(3), Convert.ToInt32(r.GetValue(4)), Convert.ToInt64(r.GetValue(5))),
            ("c", caseId));
        Assert.Equal((TestWarehouse.Key(s_day.AddDays(120)), TestWarehouse.Key(s_day.AddDays(200)), 160, "TRIAL", 4, 2L), Assert.Single(row));

        // A sentence and a prison entry: the stage moves on; the sentence outcome becomes the outcome.
        w.Event(5, "FPLIM-2006-0001", s_day.AddDays(260), "SENTENCE", "DEN-2006-000001", outcome: "CONDENA");
        w.Event(6, "FPLIM-2006-0001", s_day.AddDays(261), "PRISON_ENTRY", "DEN-2006-000001");
        w.Link(3);
        Assert.Equal(("PRISON_ENTRY", "CONDENA", 1), w.Rows("""
            SELECT s.stage_code, l.outcome, l.days_sentence_to_prison FROM dw.fact_case_lifecycle l JOIN dw.dim_case_stage s ON s.case_stage_key = l.current_stage_key
            """, r => (r.GetString(0), r.GetString(1), Convert.ToInt32(r.GetValue(2)))).Single());
    }

    [Fact]
    public void A_record_that_arrives_later_attaches_to_the_existing_case()
    {
        using var w = new TestWarehouse();
        var unit = w.Unit("CPNP-LIMA", TestWarehouse.Lima);

        // The report cites a call the hotline load has not delivered yet.
        w.Report("DEN-2006-000050", s_day.AddDays(2), TestWarehouse.Lima, unit, "L-0050");
        w.Link(1);
        var caseId = w.CaseOf(LinkTypes.RecordPoliceReport, "DEN-2006-000050");

        w.Call("L-0050", s_day, TestWarehouse.Lima, unit);
        w.Link(2);

        Assert.Equal(caseId, w.CaseOf(LinkTypes.RecordHotlineCall, "L-0050"));
        Assert.Equal(1, w.Scalar<int>("SELECT count(*) FROM dw.fact_case_lifecycle"));
        Assert.Equal(TestWarehouse.Key(s_day), w.Scalar<int>("SELECT first_call_date_key FROM dw.fact_case_lifecycle WHERE case_id = $c", ("c", caseId)));
    }

    [Fact]
    public void Analyst_decisions_are_stored_and_survive_a_rerun()
    {
        using var w = new TestWarehouse();
        var strict = new LinkageOptions { HotlinePolice = new LinkageOptions().HotlinePolice with { LinkThreshold = 10, ReviewThreshold = 4 } };
        var unit = w.Unit("CPNP-LIMA", TestWarehouse.Lima);

        // Same place and time, same sex, no names or DNI: a pair for review, not a link.
        w.Call("L-0300", s_day, TestWarehouse.Lima, unit, w.Person(null, null, 'F', "hotline"), null, 'F', tip: false);
        w.Report("DEN-2006-000300", s_day.AddDays(2), TestWarehouse.Lima, unit);
        w.ReportPerson("DEN-2006-000300", "P1", w.Person(null, null, 'F'), "VICTIMA", null);
        w.Report("DEN-2006-000301", s_day.AddDays(3), TestWarehouse.Lima, unit);
        // A suspect and a defendant with the same phonetic name but another sex: a police -> prosecution pair for review.
        w.ReportPerson("DEN-2006-000301", "P2", w.Person(null, "JUAN", 'M'), "DENUNCIADO", null);
        w.Event(1, "FPLIM-2006-0300", s_day.AddDays(30), "COMPLAINT_RECEIVED", null);
        w.Defendant(1, 1, w.Person(null, "JUAN", 'F', "prosecution"), null);
        w.Link(1, strict);

        var queue = LinkageReview.Queue(w.Connection);
        var review = queue.Rows.Where(r => (string)r[queue.IndexOf("link_type")]! == LinkTypes.HotlinePolice).ToList();
        var pair = Assert.Single(review);
        Assert.Equal("DEN-2006-000300", pair[queue.IndexOf("right_record_id")]);
        var id = Convert.ToInt64(pair[queue.IndexOf("id")]);
        var prosecutionPair = queue.Rows.First(r => (string)r[queue.IndexOf("link_type")]! == LinkTypes.PoliceProsecution);
        var prosecutionId = Convert.ToInt64(prosecutionPair[queue.IndexOf("id")]);
        var rejectedReport = (string)prosecutionPair[queue.IndexOf("left_record_id")]!;

        LinkageReview.Decide(w.Connection, id, accept: true, "ana", w.Time);
        LinkageReview.Decide(w.Connection, prosecutionId, accept: false, "ana", w.Time);
        w.Link(2, strict);

        Assert.Contains(w.Links(), l => l is { Left: "L-0300", Right: "DEN-2006-000300", Method: LinkTypes.MethodAnalyst, Status: LinkTypes.StatusLinked });
        Assert.Contains(w.Links(), l => l.Left == rejectedReport && l.Right == "FPLIM-2006-0300" && l.Status == LinkTypes.StatusRejected);
        Assert.Equal(w.CaseOf(LinkTypes.RecordHotlineCall, "L-0300"), w.CaseOf(LinkTypes.RecordPoliceReport, "DEN-2006-000300"));
        Assert.Equal(2, w.Scalar<int>("SELECT count(*) FROM meta.linkage_decision WHERE decided_by = 'ana' AND decided_at = TIMESTAMP '2008-01-15 12:00:00'"));

        // A third run changes nothing.
        var before = w.Snapshot();
        w.Link(3, strict);
        Assert.Equal(before, w.Snapshot());
    }

    [Fact]
    public void Accepting_a_link_between_two_cases_merges_them_into_the_smaller_id()
    {
        using var w = new TestWarehouse();
        var unit = w.Unit("CPNP-LIMA", TestWarehouse.Lima);
        w.Report("DEN-2006-000400", s_day, TestWarehouse.Lima, unit);
        // A suspect and a defendant with the same phonetic name but another sex: a pair under the link threshold.
        w.ReportPerson("DEN-2006-000400", "P1", w.Person(null, "JUAN", 'M'), "DENUNCIADO", null);
        w.Event(1, "FPLIM-2006-0400", s_day.AddDays(10), "COMPLAINT_RECEIVED", null);
        w.Defendant(1, 1, w.Person(null, "JUAN", 'F', "prosecution"), null);
        w.Link(1, new LinkageOptions { PoliceProsecution = new LinkageOptions().PoliceProsecution with { ReviewThreshold = -50 } });
        var reportCase = w.CaseOf(LinkTypes.RecordPoliceReport, "DEN-2006-000400");
        var prosecutionCase = w.CaseOf(LinkTypes.RecordProsecutionCase, "FPLIM-2006-0400");
        Assert.NotEqual(reportCase, prosecutionCase);
        Assert.Equal(2, w.Scalar<int>("SELECT count(*) FROM dw.fact_case_lifecycle"));

        var id = w.Scalar<long>("SELECT link_key FROM dw.bridge_case_link WHERE status = 'review'");
        LinkageReview.Decide(w.Connection, id, accept: true, "ana", w.Time);
        w.Link(2);

        var merged = string.CompareOrdinal(reportCase, prosecutionCase) < 0 ? reportCase : prosecutionCase;
        Assert.Equal(merged, w.CaseOf(LinkTypes.RecordProsecutionCase, "FPLIM-2006-0400"));
        Assert.Equal(merged, w.CaseOf(LinkTypes.RecordPoliceReport, "DEN-2006-000400"));
        Assert.Equal(merged, w.Scalar<string>("SELECT case_id FROM dw.fact_case_lifecycle"));
    }

    [Fact]
    public void Links_and_lifecycle_respect_the_model_foreign_keys()
    {
        using var w = new TestWarehouse();
        AddReferencedChain(w);
        w.Link(1);

        var violations = ReferentialIntegrity.Check(w.Connection, WarehouseSchema.Load().Description);

        Assert.Empty(violations);
    }

    [Fact]
    public void Deciding_an_unknown_id_is_a_usage_error()
    {
        using var w = new TestWarehouse();
        var ex = Assert.Throws<TipWarehouse.Core.UsageException>(() => LinkageReview.Decide(w.Connection, 999, accept: true, "ana", w.Time));
        Assert.Contains("999", ex.Message);
    }
}
