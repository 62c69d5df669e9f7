using System.CommandLine;
using TipWarehouse.Cli.Output;
using TipWarehouse.Core;
using TipWarehouse.Linkage;

namespace TipWarehouse.Cli.Commands;

/// <summary><c>tipw linkage review</c>: lists the pairs waiting for an analyst and records accept/reject decisions.</summary>
public static class LinkageCommand
{
    /// <summary>The environment variable naming the analyst when <c>--by</c> is not given (then <c>USER</c>).</summary>
    public const string AnalystVariable = "TIPW_ANALYST";

    /// <summary>Creates <c>linkage</c> with its <c>review</c> subcommand.</summary>
    public static Command Create(CliContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var home = CommonOptions.Home();
        var format = CommonOptions.Format("table", "csv", "json");
        var output = CommonOptions.Out();
        var accept = new Option<long?>("--accept") { Description = "Accept the candidate link with this id (the 'id' column of the queue)" };
        var reject = new Option<long?>("--reject") { Description = "Reject the candidate link with this id" };
        var by = new Option<string?>("--by") { Description = $"Who decides (default: ${AnalystVariable}, else $USER)" };
        var all = new Option<bool>("--all") { Description = "Also list the pairs already decided by an analyst" };
        var review = new Command("review", "List the uncertain links waiting for an analyst, or record an accept/reject that later linkage runs respect")
        {
            home, format, output, accept, reject, by, all,
        };
        review.SetAction(parseResult =>
        {
            var acceptId = parseResult.GetValue(accept);
            var rejectId = parseResult.GetValue(reject);
            if (acceptId is not null && rejectId is not null)
            {
                throw new UsageException("Give either --accept ID or --reject ID, not both.");
            }

            var tipwHome = TipwHome.At(parseResult.GetValue(home));
            ResultTable table;
            if ((acceptId ?? rejectId) is { } id)
            {
                var analyst = parseResult.GetValue(by)
                    ?? context.GetEnvironmentVariable(AnalystVariable)
                    ?? context.GetEnvironmentVariable("USER")
                    ?? "analyst";
                using var connection = Warehouse.Open(tipwHome);
                table = LinkageReview.Decide(connection, id, accept: acceptId is not null, analyst, context.Time);
                context.Error.WriteLine($"tipw linkage review: link {id} {(acceptId is not null ? "accepted" : "rejected")} by {analyst}.");
            }
            else
            {
                using var connection = Warehouse.Open(tipwHome, readOnly: true);
                table = LinkageReview.Queue(connection, parseResult.GetValue(all));
                context.Error.WriteLine($"tipw linkage review: {table.Rows.Count} pair(s). Decide with --accept ID or --reject ID.");
            }

            ResultWriter.WriteTo(table, parseResult.GetValue(format)!, parseResult.GetValue(output), context.Out);
            return CliApp.Success;
        });

        return new Command("linkage", "Cross-agency record linkage: the analyst review queue") { review };
    }
}
