using System.CommandLine;
using TipWarehouse.Cli.Output;
using TipWarehouse.Core;
using TipWarehouse.Web;

namespace TipWarehouse.Cli.Commands;

/// <summary><c>tipw audit</c>: the audit trail (sign-ins, exports, queries, review decisions, user changes), for admins.</summary>
internal static class AuditCommand
{
    public static Command Create(CliContext context)
    {
        var home = CommonOptions.Home();
        var format = CommonOptions.Format("table", "csv", "json");
        var output = CommonOptions.Out();
        var last = new Option<int?>("--last") { Description = "Only the last N events" };
        var action = new Option<string?>("--action") { Description = "Only one action: sign_in, export, query, review_decision, user_change" };
        var command = new Command("audit", "Show the audit trail: who did what, when, with which parameters") { home, format, output, last, action };
        command.SetAction(parseResult =>
        {
            if (parseResult.GetValue(last) is < 1)
            {
                throw new UsageException("--last must be at least 1.");
            }

            using var connection = Warehouse.Open(TipwHome.At(parseResult.GetValue(home)), readOnly: true);
            var table = AuditLog.Read(connection, parseResult.GetValue(last), parseResult.GetValue(action));
            ResultWriter.WriteTo(table, parseResult.GetValue(format)!, parseResult.GetValue(output), context.Out);
            return CliApp.Success;
        });
        return command;
    }
}
