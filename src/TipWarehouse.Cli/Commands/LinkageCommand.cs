using System.CommandLine;
using TipWarehouse.Cli.Output;
using TipWarehouse.Core;
using TipWarehouse.Linkage;

namespace TipWarehouse.Cli.Commands;

/// <summary><c>tipw linkage review</c>: lists the pairs waiting for an analyst, shows one pair side by side with its score broken down, and records accept/reject decisions.</summary>
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
        var show = new Option<long?>("--show") { Description = "Show the two records of the candidate link with this id side by side, with the score broken down by comparison" };
        var all = new Option<bool>("--all") { Description = "Also list the pairs already decided by an analyst" };
        var review = new Command("review", "List the uncertain links waiting for an analyst, show one pair side by side with its score broken down by comparison, or record an accept/reject that later linkage runs respect")
        {
            home, format, output, accept, reject, by, all, show,
        };
        review.SetAction(parseResult =>
        {
            var acceptId = parseResult.GetValue(accept);
            var rejectId = parseResult.GetValue(reject);
            var showId = parseResult.GetValue(show);
            if (new[] { acceptId, rejectId, showId }.Count(x => x is not null) > 1)
            {
                throw new UsageException("Give one of --accept ID, --reject ID or --show ID.");
            }

            if (showId is not null && parseResult.GetValue(all))
            {
                throw new UsageException("--all lists the queue; --show ID shows one pair: give one of them.");
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
            else if (showId is { } pairId)
            {
                using var connection = Warehouse.Open(tipwHome, readOnly: true);
                table = LinkageReview.Show(connection, pairId);
            }
            else
            {
                using var connection = Warehouse.Open(tipwHome, readOnly: true);
                table = LinkageReview.Queue(connection, parseResult.GetValue(all));
                context.Error.WriteLine($"tipw linkage review: {table.Rows.Count} pair(s). Decide with --accept ID or --reject ID.");
            }

            var chosenFormat = parseResult.GetValue(format)!;
            ResultWriter.WriteTo(table, chosenFormat, parseResult.GetValue(output), context.Out);
            if (chosenFormat != "table")
            {
                // The table prints its notes under it; CSV and JSON keep stdout clean and give them on stderr (as 'tipw report').
                foreach (var note in table.Notes)
                {
                    context.Error.WriteLine(note);
                }
            }

            return CliApp.Success;
        });

        return new Command("linkage", "Cross-agency record linkage: the analyst review queue") { review };
    }
}
