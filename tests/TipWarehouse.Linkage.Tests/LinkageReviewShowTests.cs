using TipWarehouse.Core;

namespace TipWarehouse.Linkage.Tests;

/// <summary><see cref="LinkageReview.Show"/>: the two records of a pair side by side and its score broken down by comparison.</summary>
public sealed class LinkageReviewShowTests
{
    private static readonly DateOnly s_day = new(2006, 5, 2);
    private static readonly LinkageOptions s_strict = new() { HotlinePolice = new LinkageOptions().HotlinePolice with { LinkThreshold = 10, ReviewThreshold = 4 } };

    // Same place and time, same sex, no names or DNI: a hotline → police pair for review, not a link.
    private static long QueuedPair(TestWarehouse w)
    {
        var unit = w.Unit("CPNP-LIMA", TestWarehouse.Lima);
        w.Call("L-0300", s_day, TestWarehouse.Lima, unit, w.Person(null, null, 'F', "hotline"), null, 'F', tip: false);
        w.Report("DEN-2006-000300", s_day.AddDays(2), TestWarehouse.Lima, unit);
        w.ReportPerson("DEN-2006-000300", "P1", w.Person(null, null, 'F'), "VICTIMA", null);
        w.Link(1, s_strict);
        return w.Scalar<long>("SELECT link_key FROM dw.bridge_case_link WHERE status = 'review' AND link_type = 'hotline_police'");
    }

    private static Dictionary<(string Part, string Item), object?[]> ByItem(ResultTable table) =>
        table.Rows.ToDictionary(r => ((string)r[0]!, (string)r[1]!));

    [Fact]
    public void A_queued_pair_shows_both_records_and_weights_that_are_the_persisted_models_and_sum_to_the_score()
    {
        using var w = new TestWarehouse();
        var id = QueuedPair(w);

        var table = LinkageReview.Show(w.Connection, id);

        Assert.Equal(["part", "item", "left", "right", "level", "weight"], table.Columns.Select(c => c.Name));
        var rows = ByItem(table);
        Assert.Equal(("hotline_call", "police_report"), (rows[("record", "record_type")][2], rows[("record", "record_type")][3]));
        Assert.Equal(("L-0300", "DEN-2006-000300"), (rows[("record", "record_id")][2], rows[("record", "record_id")][3]));
        Assert.Equal(("2006-05-02", "2006-05-04"), (rows[("record", "date")][2], rows[("record", "date")][3]));
        Assert.Equal(rows[("record", "place")][2], rows[("record", "place")][3]);
        Assert.Equal(("CPNP-LIMA", "CPNP-LIMA"), (rows[("record", "unit")][2], rows[("record", "unit")][3]));
        Assert.Equal(("unknown F", "VICTIMA unknown F"), (rows[("record", "persons")][2], rows[("record", "persons")][3]));
        Assert.Equal("review", rows[("link", "status")][2]);

        // Each weight is log2(m/u) of the persisted model at the stored level, computed here from meta.linkage_model.
        var levels = w.Scalar<string>("SELECT levels FROM meta.linkage_candidate WHERE left_record_id = 'L-0300' AND right_record_id = 'DEN-2006-000300'")!.Split(',').Select(int.Parse).ToArray();
        var comparisons = table.Rows.Where(r => (string)r[0]! == "comparison").ToList();
        Assert.Equal(ComparisonFields.HotlinePolice.Select(f => f.Name), comparisons.Select(r => (string)r[1]!));
        for (var f = 0; f < comparisons.Count; f++)
        {
            Assert.Equal(levels[f], comparisons[f][4]);
            var expected = levels[f] < 0 ? 0.0 : w.Scalar<double>(
                "SELECT log2(greatest(m, 1e-3) / greatest(u, 1e-4)) FROM meta.linkage_model WHERE link_type = 'hotline_police' AND field_index = $f AND level = $l", ("f", f), ("l", levels[f]));
            Assert.Equal(expected, (double)comparisons[f][5]!, 12);
        }

        var sum = (double)rows[("total", "weight_sum")][5]!;
        var score = (double)rows[("total", "score")][5]!;
        Assert.Equal(w.Scalar<double>("SELECT score FROM dw.bridge_case_link WHERE link_key = $k", ("k", id)), score);
        Assert.InRange(Math.Abs(sum - score), 0, LinkageReview.ScoreTolerance);
        // Hotline -> police weighs the prior odds log2(p/(1-p)) of the persisted match share p as well.
        var prior = w.Scalar<double>("SELECT DISTINCT prior FROM meta.linkage_model WHERE link_type = 'hotline_police'");
        Assert.Equal(Math.Log2(prior / (1 - prior)), (double)rows[("prior", "log2_prior_odds")][5]!, 12);
        Assert.Equal(comparisons.Sum(r => (double)r[5]!) + Math.Log2(prior / (1 - prior)), sum, 12);
        Assert.Equal("The weights sum to the stored score.", rows[("note", "check")][2]);
    }

    [Fact]
    public void A_model_changed_after_scoring_is_said_in_the_note_row_and_the_stored_score_is_kept()
    {
        using var w = new TestWarehouse();
        var id = QueuedPair(w);
        var before = (double)ByItem(LinkageReview.Show(w.Connection, id))[("total", "score")][5]!;
        w.Execute("UPDATE meta.linkage_model SET m = 0.999, u = 0.001 WHERE link_type = 'hotline_police' AND field_name = 'place'");

        var rows = ByItem(LinkageReview.Show(w.Connection, id));

        Assert.Equal(before, rows[("total", "score")][5]);
        var sum = (double)rows[("total", "weight_sum")][5]!;
        Assert.True(Math.Abs(sum - before) > 1, $"sum {sum}, score {before}");
        Assert.StartsWith("The model changed after this pair was scored", (string)rows[("note", "check")][2]!, StringComparison.Ordinal);
    }

    [Fact]
    public void A_pair_without_stored_levels_or_with_a_model_of_other_fields_has_no_breakdown()
    {
        using var w = new TestWarehouse();
        var id = QueuedPair(w);
        w.Execute("DELETE FROM meta.linkage_model WHERE link_type = 'hotline_police' AND field_name = 'competition'");
        var noModel = LinkageReview.Show(w.Connection, id);
        Assert.DoesNotContain(noModel.Rows, r => (string)r[0]! == "comparison");
        Assert.Null(ByItem(noModel)[("total", "weight_sum")][5]);
        Assert.Contains("No persisted model", (string)ByItem(noModel)[("note", "check")][2]!, StringComparison.Ordinal);

        w.Execute("DELETE FROM meta.linkage_candidate");
        var noLevels = ByItem(LinkageReview.Show(w.Connection, id));
        Assert.Null(noLevels[("total", "weight_sum")][5]);
        Assert.Contains("No comparison levels are stored", (string)noLevels[("note", "check")][2]!, StringComparison.Ordinal);
    }

    [Fact]
    public void A_police_prosecution_pair_shows_suspects_arrested_and_defendants_with_the_cited_number()
    {
        using var w = new TestWarehouse();
        var unit = w.Unit("CPNP-LIMA", TestWarehouse.Lima);
        var suspect = w.Person("09876543", "PEDRO", 'M');
        w.Report("DEN-2006-000001", s_day, TestWarehouse.Lima, unit);
        w.ReportPerson("DEN-2006-000001", "P1", w.Person("41234567", "ANA", 'F'), "VICTIMA", 16);
        w.ReportPerson("DEN-2006-000001", "P2", suspect, "DENUNCIADO", 34);
        w.Arrest("A1", "DEN-2006-000001", suspect, s_day.AddDays(5));
        w.Event(1, "FPLIM-2006-0001", s_day.AddDays(20), "COMPLAINT_RECEIVED", "DEN-2006-000001");
        w.Defendant(1, 1, w.Person("09876543", "PEDRO", 'M', "prosecution"), 34);
        w.Link(1);
        var id = w.Scalar<long>("SELECT link_key FROM dw.bridge_case_link WHERE link_type = 'police_prosecution'");

        var rows = ByItem(LinkageReview.Show(w.Connection, id));

        // The test warehouse's "pseudonyms" are readable tags; the record shows their first 12 characters.
        Assert.Equal("DENUNCIADO dni=dni:09876543 name=name:PEDRO unknown M; DETENIDO dni=dni:09876543 name=name:PEDRO unknown M", rows[("record", "persons")][2]);
        Assert.Equal("dni=dni:09876543 name=name:PEDRO unknown M", rows[("record", "persons")][3]);
        Assert.Equal(("2006-05-02", "2006-05-22"), (rows[("record", "date")][2], rows[("record", "date")][3]));
        Assert.Equal("DEN-2006-000001", rows[("record", "cites")][3]);
        Assert.Equal(2, rows[("comparison", "report_number")][4]);
        Assert.Equal("linked", rows[("link", "status")][2]);
        Assert.Equal("The weights sum to the stored score.", rows[("note", "check")][2]);
    }

    [Fact]
    public void Showing_an_unknown_id_is_a_usage_error()
    {
        using var w = new TestWarehouse();
        var ex = Assert.Throws<UsageException>(() => LinkageReview.Show(w.Connection, 999));
        Assert.Contains("No candidate link with id 999", ex.Message, StringComparison.Ordinal);
    }
}
