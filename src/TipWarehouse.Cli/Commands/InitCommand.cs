using System.CommandLine;
using TipWarehouse.Cli.Output;
using TipWarehouse.Core;
using TipWarehouse.Schema;

namespace TipWarehouse.Cli.Commands;

/// <summary><c>tipw init</c>: creates or upgrades the home and its warehouse (schema, unknown members, reference data, key).</summary>
internal static class InitCommand
{
    public static Command Create(CliContext context)
    {
        var home = CommonOptions.Home();
        var format = CommonOptions.Format("table", "csv", "json");
        var output = CommonOptions.Out();
        var command = new Command("init", "Create or upgrade the warehouse of a home: schema from sql/ (additive changes only), unknown members, reference data, pseudonymization key")
        {
            home, format, output,
        };
        command.SetAction((parseResult, cancellationToken) =>
        {
            var tipwHome = TipwHome.At(parseResult.GetValue(home));
            context.Error.WriteLine($"tipw init: {tipwHome.Root}");
            var options = new InitOptions
            {
                SqlDirectory = context.GetEnvironmentVariable(SchemaSources.SqlDirectoryVariable) is { Length: > 0 } sql ? sql : null,
                ReferenceDirectory = context.GetEnvironmentVariable(SchemaSources.ReferenceDirectoryVariable) is { Length: > 0 } reference ? reference : null,
                Progress = line => context.Error.WriteLine("  " + line),
            };
            var result = WarehouseInitializer.InitializeHome(tipwHome, context.Time, options, context.GetEnvironmentVariable, cancellationToken);
            ResultWriter.WriteTo(Summary(result), parseResult.GetValue(format)!, parseResult.GetValue(output), context.Out);
            return Task.FromResult(CliApp.Success);
        });
        return command;
    }

    /// <summary>One row per thing init looks after: schema objects and changes, reference tables, the key.</summary>
    internal static ResultTable Summary(HomeInitResult result)
    {
        var rows = new List<object?[]>();
        var warehouse = result.Warehouse;
        (string Kind, string Label)[] kinds =
        [
            ("schema", "schemas created"),
            ("sequence", "sequences created"),
            ("table", "tables created"),
            ("add column", "columns added"),
            ("alter column", "columns altered"),
            ("view", "views created or replaced"),
            ("drop view", "views dropped"),
        ];
        foreach (var (kind, label) in kinds)
        {
            var count = warehouse.SchemaChanges.Count(s => s.Kind == kind);
            if (count > 0)
            {
                rows.Add(["schema", label, (long)count, null]);
            }
        }

        if (warehouse.SchemaChanges.Count == 0)
        {
            rows.Add(["schema", "up to date", 0L, null]);
        }

        rows.Add(["unknown members", "rows inserted", warehouse.UnknownMembersInserted, null]);
        foreach (var reference in warehouse.ReferenceData)
        {
            rows.Add(["reference", reference.Table, reference.RowsChanged, reference.RowCount]);
        }

        rows.Add(["pseudonym key", result.PseudonymKeyPath is null ? "from " + WarehouseInitializer.PseudonymKeyVariable : result.PseudonymKeyCreated ? "created" : "kept", result.PseudonymKeyCreated ? 1L : 0L, null]);
        var notes = new List<string>
        {
            "warehouse: " + result.WarehousePath,
            "schema version: " + warehouse.SchemaHash[..12],
        };
        return new ResultTable(
            [new ResultColumn("item", typeof(string)), new ResultColumn("detail", typeof(string)), new ResultColumn("changed", typeof(long)), new ResultColumn("rows", typeof(long))],
            rows,
            notes);
    }
}
