using TipWarehouse.Analytics.Reports;

namespace TipWarehouse.Analytics.Tests;

/// <summary><c>tipw report definitions</c>: records per level, status and series of <c>dw.tip_determination</c>, in level and status order.</summary>
public sealed class DefinitionsReportTests
{
    [Fact]
    public void Definitions_counts_records_per_level_status_and_series_in_level_then_status_order()
    {
        using var warehouse = new SyntheticWarehouse();
        warehouse.Execute("""
            INSERT INTO dw.tip_determination (record_type, record_id, tip_status, is_tip, tip_basis, related_series, exploitation_type_key, exploitation_basis, tip_definition_version, batch_id)
            VALUES ('prosecution_case', 'C-1', 'not_tip', false, 'b', 'pimping', -1, NULL, 'v+1', 1),
                   ('police_report', 'R-1', 'not_tip', false, 'b', 'pimping', -1, NULL, 'v+1', 1),
                   ('police_report', 'R-2', 'evidence_linked', true, 'b', 'pimping', -1, NULL, 'v+1', 1),
                   ('police_report', 'R-3', 'not_tip', false, 'b', 'pimping', -1, NULL, 'v+1', 1),
                   ('police_report', 'R-4', 'confirmed_statute', true, 'b', NULL, -1, NULL, 'v+1', 1),
                   ('hotline_call', 'L-1', 'indicated', true, 'b', NULL, -1, NULL, 'v+1', 1),
                   ('hotline_call', 'L-2', 'indicated', true, 'b', NULL, 1, 'imputed: most frequent type of TIP calls with the same victim sex', 'v+1', 1),
                   ('hotline_call', 'L-3', 'indicated', true, 'b', NULL, 1, 'narrative keywords', 'v+1', 1),
                   ('hotline_call', 'L-4', 'not_tip', false, 'b', NULL, 1, 'narrative keywords', 'v+1', 1)
            """);

        var table = DefinitionsReport.Build(warehouse.Connection);

        var rows = table.Rows.Select(r => $"{r[0]}|{r[1]}|{r[2]}|{r[3]}|{r[4]}").ToList();
        Assert.Equal(
            [
                "hotline_call|indicated||3|v+1",
                "hotline_call|not_tip||1|v+1",
                "police_report|confirmed_statute||1|v+1",
                "police_report|evidence_linked|pimping|1|v+1",
                "police_report|not_tip|pimping|2|v+1",
                "prosecution_case|not_tip|pimping|1|v+1",
            ],
            rows);
        // The TIP records' exploitation sources: the imputed call counted apart, the non-TIP call not at all.
        Assert.Contains(
            "hotline_call: imputed: most frequent type of TIP calls with the same victim sex 1, narrative keywords 1, unknown type 1; police_report: unknown type 2.",
            string.Join("\n", table.Notes),
            StringComparison.Ordinal);
    }
}
