using TipWarehouse.Analytics.Reports;
using TipWarehouse.Core;

namespace TipWarehouse.Analytics.Tests;

public sealed class DefinitionsReportTests
{
    [Fact]
    public void Counts_each_level_status_and_series_in_level_then_status_order()
    {
        using var warehouse = new SyntheticWarehouse();
        var unknownExploitation = Sql.Scalar<int>(warehouse.Connection, "SELECT min(exploitation_type_key) FROM dw.dim_exploitation_type");
        (string Type, string Id, string Status, string? Series)[] records =
        [
            ("prosecution_case", "c1", "not_tip", "pimping"),
            ("hotline_call", "h1", "indicated", null),
            ("hotline_call", "h2", "confirmed_statute", null),
            ("hotline_call", "h3", "indicated", null),
            ("police_report", "p1", "evidence_linked", "pimping"),
        ];
        foreach (var (type, id, status, series) in records)
        {
            Sql.Execute(warehouse.Connection, """
                INSERT INTO dw.tip_determination (record_type, record_id, tip_status, is_tip, tip_basis, related_series, exploitation_type_key, tip_definition_version, batch_id)
                VALUES ($type, $id, $status, $tip, 'test', $series, $exploitation, 'v1-test', 1)
                """, ("type", type), ("id", id), ("status", status), ("tip", status != "not_tip"), ("series", series), ("exploitation", unknownExploitation));
        }

        var table = DefinitionsReport.Build(warehouse.Connection);

        var rows = table.Rows.Select(r => (Level: (string)r[table.IndexOf("level")]!, Status: (string)r[table.IndexOf("tip_status")]!, Records: Convert.ToInt64(r[table.IndexOf("records")], System.Globalization.CultureInfo.InvariantCulture))).ToList();
        Assert.Equal(
            [("hotline_call", "confirmed_statute", 1L), ("hotline_call", "indicated", 2L), ("police_report", "evidence_linked", 1L), ("prosecution_case", "not_tip", 1L)],
            rows);
        Assert.All(table.Rows, r => Assert.Equal("v1-test", r[table.IndexOf("definition_version")]));
    }
}
