using System.CommandLine;
using System.Globalization;
using TipWarehouse.Classifier;
using TipWarehouse.Cli.Output;
using TipWarehouse.Core;
using TipWarehouse.Schema;

namespace TipWarehouse.Cli.Commands;

/// <summary><c>tipw model train|crossvalidate|list|evaluate|activate|score|predict|explain|card|review|drift</c>: the TIP call classifier.</summary>
internal static class ModelCommand
{
    /// <summary>The value of <c>--extra-narratives</c> that trains on the warehouse's calls alone.</summary>
    private const string NoExtraNarratives = "none";

    /// <summary>The hand-written tuning narratives shipped in <c>reference/</c>: what training adds by default.</summary>
    internal static string DefaultExtraNarrativesPath => Path.Combine(SchemaSources.ReferenceDirectory, LabelledNarratives.TrainingFileName);

    /// <summary><paramref name="options"/> with the labelled narratives of <paramref name="file"/> (default: the shipped
    /// tuning narratives; <c>none</c>: no extra narratives) as extra training data of weight <paramref name="weight"/>.</summary>
    internal static TrainingOptions WithExtraNarratives(TrainingOptions options, string? file, double weight = TrainingOptions.DefaultExtraNarrativeWeight)
    {
        if (weight < 0)
        {
            throw new UsageException($"--extra-weight must be >= 0; got {weight.ToString(CultureInfo.InvariantCulture)}.");
        }

        if (string.Equals(file, NoExtraNarratives, StringComparison.OrdinalIgnoreCase) || weight == 0)
        {
            return options with { ExtraNarratives = [], ExtraNarrativesSource = string.Empty, ExtraNarrativeWeight = 0 };
        }

        var path = file ?? DefaultExtraNarrativesPath;
        return options with { ExtraNarratives = LabelledNarratives.Read(path), ExtraNarrativesSource = Path.GetFileName(path), ExtraNarrativeWeight = weight };
    }

    public static Command Create(CliContext context)
    {
        var command = new Command("model", "Train, inspect and use the classifier that flags TIP-related hotline calls");
        command.Subcommands.Add(Train(context));
        command.Subcommands.Add(CrossValidate(context));
        command.Subcommands.Add(List(context));
        command.Subcommands.Add(Evaluate(context));
        command.Subcommands.Add(Activate(context));
        command.Subcommands.Add(Score(context));
        command.Subcommands.Add(Predict(context));
        command.Subcommands.Add(Explain(context));
        command.Subcommands.Add(Card(context));
        command.Subcommands.Add(Review(context));
        command.Subcommands.Add(Drift(context));
        return command;
    }

    private static Command Review(CliContext context)
    {
        var home = CommonOptions.Home();
        var format = CommonOptions.Format("table", "csv", "json");
        var output = CommonOptions.Out();
        var confirm = new Option<string?>("--confirm") { Description = "Confirm the flagged call with this id as TIP-related (the 'call_id' column of the queue)" };
        var reject = new Option<string?>("--reject") { Description = "Reject the flag of the call with this id (not TIP-related)" };
        var by = new Option<string?>("--by") { Description = $"Who decides (default: ${LinkageCommand.AnalystVariable}, else $USER)" };
        var all = new Option<bool>("--all") { Description = "Also list the calls already decided by a supervisor (they come first)" };
        var limit = new Option<int>("--limit") { Description = "At most this many calls", DefaultValueFactory = _ => 50 };
        var spans = new Option<bool>("--spans") { Description = "Add each call's (PII-scrubbed) narrative and its words' start:length:contribution spans, for highlighting" };
        var command = new Command("review", "List the calls the active model flagged for a supervisor to confirm or reject, with the words that drove each score; decisions become labels of the next 'tipw model train'")
        {
            home, format, output, confirm, reject, by, all, limit, spans,
        };
        command.SetAction(parseResult =>
        {
            var confirmId = parseResult.GetValue(confirm);
            var rejectId = parseResult.GetValue(reject);
            if (confirmId is not null && rejectId is not null)
            {
                throw new UsageException("Give either --confirm ID or --reject ID, not both.");
            }

            var tipwHome = TipwHome.At(parseResult.GetValue(home));
            ResultTable table;
            if ((confirmId ?? rejectId) is { } id)
            {
                var supervisor = parseResult.GetValue(by)
                    ?? context.GetEnvironmentVariable(LinkageCommand.AnalystVariable)
                    ?? context.GetEnvironmentVariable("USER")
                    ?? "analyst";
                table = new ClassifierService(context.Time).Decide(tipwHome, id, confirm: confirmId is not null, supervisor);
                context.Error.WriteLine($"tipw model review: call {id} {(confirmId is not null ? "confirmed" : "rejected")} by {supervisor}.");
            }
            else
            {
                table = ClassifierService.ReviewQueue(tipwHome, parseResult.GetValue(all), Math.Max(1, parseResult.GetValue(limit)), parseResult.GetValue(spans));
                context.Error.WriteLine($"tipw model review: {table.Rows.Count} call(s). Decide with --confirm ID or --reject ID.");
            }

            ResultWriter.WriteTo(table, parseResult.GetValue(format)!, parseResult.GetValue(output), context.Out);
            return CliApp.Success;
        });
        return command;
    }

    private static Command Drift(CliContext context)
    {
        var home = CommonOptions.Home();
        var format = CommonOptions.Format("table", "csv", "json");
        var output = CommonOptions.Out();
        var command = new Command("drift", "Per month, the active model's score distribution against its training months (population stability index) and its flag rate against the operators' TIP rate, with a stable/watch/alert status")
        {
            home, format, output,
        };
        command.SetAction(parseResult =>
        {
            var table = ClassifierService.Drift(TipwHome.At(parseResult.GetValue(home)));
            ResultWriter.WriteTo(table, parseResult.GetValue(format)!, parseResult.GetValue(output), context.Out);
            return CliApp.Success;
        });
        return command;
    }

    private static Command Card(CliContext context)
    {
        var home = CommonOptions.Home();
        var format = CommonOptions.Format("table", "csv", "json");
        var output = CommonOptions.Out();
        var name = new Argument<string>("model") { Description = "The model name, as 'tipw model list' shows it" };
        var command = new Command("card", "The model card: data, split, threshold, calibration, metrics on each evaluation set, features, known failure modes") { home, format, output, name };
        command.SetAction(parseResult =>
        {
            var table = ClassifierService.Card(TipwHome.At(parseResult.GetValue(home)), parseResult.GetValue(name)!);
            ResultWriter.WriteTo(table, parseResult.GetValue(format)!, parseResult.GetValue(output), context.Out);
            return CliApp.Success;
        });
        return command;
    }

    private static Command Train(CliContext context)
    {
        var home = CommonOptions.Home();
        var format = CommonOptions.Format("table", "csv", "json");
        var output = CommonOptions.Out();
        var trainer = new Option<string>("--trainer")
        {
            Description = "The learner: sdca (logistic regression, default), lightgbm or fasttree",
            DefaultValueFactory = _ => ClassifierTrainers.Sdca,
        };
        trainer.AcceptOnlyFromAmong([.. ClassifierTrainers.All]);
        var recall = new Option<double>("--recall-target")
        {
            Description = "The recall the flagging threshold is chosen to reach on the validation months (0-1)",
            DefaultValueFactory = _ => 0.9,
        };
        var testMonths = new Option<int>("--test-months")
        {
            Description = "How many of the latest months are held out as the test window",
            DefaultValueFactory = _ => 6,
        };
        var activate = new Option<bool>("--activate") { Description = "Make the new model the active one (it scores new calls)" };
        var extra = new Option<string?>("--extra-narratives")
        {
            Description = $"A labelled narrative CSV (relato, is_tip) added to the fit months; default the hand-written tuning narratives reference/{LabelledNarratives.TrainingFileName}; 'none' for the warehouse's calls alone",
        };
        var extraWeight = new Option<double>("--extra-weight")
        {
            Description = "The example weight of each extra narrative (a warehouse call weighs 1; chosen by 'tipw model crossvalidate')",
            DefaultValueFactory = _ => TrainingOptions.DefaultExtraNarrativeWeight,
        };
        var maxFitCalls = new Option<int>("--max-fit-calls")
        {
            Description = "At most this many fit-month calls are fitted on (an even stride through the months above it; 0 = all)",
            DefaultValueFactory = _ => TrainingOptions.DefaultMaxFitCalls,
        };
        var command = new Command("train", "Train a model on the warehouse's labelled calls (time-based split), save it under HOME/models and register it")
        {
            home, trainer, recall, testMonths, extra, extraWeight, maxFitCalls, activate, format, output,
        };
        command.SetAction((parseResult, cancellationToken) =>
        {
            var months = parseResult.GetValue(testMonths);
            if (months < 1)
            {
                throw new UsageException("--test-months must be at least 1.");
            }

            if (parseResult.GetValue(maxFitCalls) < 0)
            {
                throw new UsageException("--max-fit-calls must be 0 (all) or more.");
            }

            var options = WithExtraNarratives(
                new TrainingOptions
                {
                    Trainer = parseResult.GetValue(trainer)!,
                    RecallTarget = parseResult.GetValue(recall),
                    TestMonths = months,
                    MaxFitCalls = parseResult.GetValue(maxFitCalls),
                },
                parseResult.GetValue(extra),
                parseResult.GetValue(extraWeight));
            var service = new ClassifierService(context.Time, message => context.Error.WriteLine(message));
            var outcome = service.Train(TipwHome.At(parseResult.GetValue(home)), options, parseResult.GetValue(activate), cancellationToken);
            ResultWriter.WriteTo(ClassifierService.TrainSummary(outcome), parseResult.GetValue(format)!, parseResult.GetValue(output), context.Out);
            return Task.FromResult(CliApp.Success);
        });
        return command;
    }

    private static Command CrossValidate(CliContext context)
    {
        var home = CommonOptions.Home();
        var format = CommonOptions.Format("table", "csv", "json");
        var output = CommonOptions.Out();
        var narratives = new Option<string>("--narratives")
        {
            Description = "The labelled narrative CSV (relato, is_tip[, split]) whose weight as training data is chosen, e.g. tests/TipWarehouse.Classifier.Tests/data/handwritten_narratives.csv",
            Required = true,
        };
        var split = new Option<string?>("--split") { Description = "Only the rows whose split column has this value (tuning: the part that becomes training data)" };
        var folds = new Option<int>("--folds") { Description = "How many folds", DefaultValueFactory = _ => 5 };
        var weights = new Option<string>("--weights") { Description = "Comma-separated example weights to compare (0: without the narratives)", DefaultValueFactory = _ => "0,1,2,4,8,16" };
        var l2 = new Option<string>("--l2") { Description = "Comma-separated L2 regularisations to compare", DefaultValueFactory = _ => new TrainingOptions().L2Regularization.ToString(CultureInfo.InvariantCulture) };
        var command = new Command("crossvalidate", "Choose the weight of extra labelled narratives and the L2 by k-fold cross-validation within those narratives, on this warehouse")
        {
            home, narratives, split, folds, weights, l2, format, output,
        };
        command.SetAction((parseResult, cancellationToken) =>
        {
            var service = new ClassifierService(context.Time, message => context.Error.WriteLine(message));
            var table = service.CrossValidate(
                TipwHome.At(parseResult.GetValue(home)),
                parseResult.GetValue(narratives)!,
                parseResult.GetValue(split),
                parseResult.GetValue(folds),
                [.. Numbers(parseResult.GetValue(weights)!, "--weights")],
                [.. Numbers(parseResult.GetValue(l2)!, "--l2").Select(v => (float)v)],
                new TrainingOptions(),
                cancellationToken);
            ResultWriter.WriteTo(table, parseResult.GetValue(format)!, parseResult.GetValue(output), context.Out);
            return Task.FromResult(CliApp.Success);
        });
        return command;
    }

    private static IEnumerable<double> Numbers(string list, string option) =>
        list.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries).Select(v =>
            double.TryParse(v, NumberStyles.Float, CultureInfo.InvariantCulture, out var number)
                ? number
                : throw new UsageException($"{option}: '{v}' is not a number."));

    private static Command List(CliContext context)
    {
        var home = CommonOptions.Home();
        var format = CommonOptions.Format("table", "csv", "json");
        var output = CommonOptions.Out();
        var command = new Command("list", "List the registered models with their test metrics; 'active' marks the one that scores new calls") { home, format, output };
        command.SetAction(parseResult =>
        {
            var table = ClassifierService.List(TipwHome.At(parseResult.GetValue(home)));
            ResultWriter.WriteTo(table, parseResult.GetValue(format)!, parseResult.GetValue(output), context.Out);
            return CliApp.Success;
        });
        return command;
    }

    private static Command Evaluate(CliContext context)
    {
        var home = CommonOptions.Home();
        var format = CommonOptions.Format("table", "csv", "json");
        var output = CommonOptions.Out();
        var narratives = new Option<string?>("--narratives") { Description = "Instead, measure it on a labelled narrative CSV (columns relato and is_tip), e.g. tests/TipWarehouse.Classifier.Tests/data/handwritten_narratives.csv" };
        var split = new Option<string?>("--split") { Description = "With --narratives: only the rows whose split column has this value (tuning or heldout)" };
        var command = new Command("evaluate", "Measure the active model on its test months against the warehouse's labels (confusion matrix, calibration), or on a labelled narrative file") { home, narratives, split, format, output };
        command.SetAction(parseResult =>
        {
            var file = parseResult.GetValue(narratives);
            if (file is null && parseResult.GetValue(split) is not null)
            {
                throw new UsageException("--split needs --narratives.");
            }

            var table = file is null
                ? ClassifierService.Evaluate(TipwHome.At(parseResult.GetValue(home)))
                : ClassifierService.EvaluateNarratives(TipwHome.At(parseResult.GetValue(home)), file, parseResult.GetValue(split));
            ResultWriter.WriteTo(table, parseResult.GetValue(format)!, parseResult.GetValue(output), context.Out);
            return CliApp.Success;
        });
        return command;
    }

    private static Command Activate(CliContext context)
    {
        var home = CommonOptions.Home();
        var name = new Argument<string>("model") { Description = "The model name, as 'tipw model list' shows it" };
        var command = new Command("activate", "Make a registered model the active one (earlier scores are kept)") { home, name };
        command.SetAction(parseResult =>
        {
            var model = ClassifierService.Activate(TipwHome.At(parseResult.GetValue(home)), parseResult.GetValue(name)!);
            context.Error.WriteLine($"{model.ModelName} is now the active model; 'tipw model score' scores the calls it has not scored yet.");
            return CliApp.Success;
        });
        return command;
    }

    private static Command Score(CliContext context)
    {
        var home = CommonOptions.Home();
        var command = new Command("score", "Score every call the active model has not scored yet into dw.fact_call_score (the scoring pipeline does this after each hotline load)") { home };
        command.SetAction((parseResult, cancellationToken) =>
        {
            var service = new ClassifierService(context.Time);
            var (model, scored, flagged) = service.ScoreNew(TipwHome.At(parseResult.GetValue(home)), cancellationToken);
            context.Error.WriteLine($"{scored} call(s) scored by {model}, {flagged} flagged as TIP-related.");
            return Task.FromResult(CliApp.Success);
        });
        return command;
    }

    private static Command Predict(CliContext context)
    {
        var home = CommonOptions.Home();
        var input = new Option<string>("--input") { Description = "A CSV with the hotline export's columns (only 'relato' required; ';' or ',' separated; UTF-8 or Windows-1252)", Required = true };
        var output = new Option<string>("--output") { Description = "Where to write the input columns plus probabilidad_trata and es_trata (UTF-8)", Required = true };
        var command = new Command("predict", "Score any narrative CSV with the active model") { home, input, output };
        command.SetAction(parseResult =>
        {
            var result = ClassifierService.Predict(TipwHome.At(parseResult.GetValue(home)), parseResult.GetValue(input)!, parseResult.GetValue(output)!);
            context.Error.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{result.Rows} row(s) scored ({result.Encoding}, '{result.Separator}'), {result.Flagged} flagged as TIP-related; written to {parseResult.GetValue(output)}"));
            return CliApp.Success;
        });
        return command;
    }

    private static Command Explain(CliContext context)
    {
        var home = CommonOptions.Home();
        var format = CommonOptions.Format("table", "csv", "json");
        var output = CommonOptions.Out();
        var top = new Option<int>("--top") { Description = "How many features pushing towards TIP to show (half as many pushing away)", DefaultValueFactory = _ => 12 };
        var callId = new Argument<string>("call-id") { Description = "The hotline call id (id_llamada)" };
        var command = new Command("explain", "Show the terms and fields that drove the active model's score of one call") { home, top, format, output, callId };
        command.SetAction(parseResult =>
        {
            var explanation = ClassifierService.Explain(TipwHome.At(parseResult.GetValue(home)), parseResult.GetValue(callId)!, Math.Max(1, parseResult.GetValue(top)));
            ResultWriter.WriteTo(ModelExplainer.ToTable(explanation), parseResult.GetValue(format)!, parseResult.GetValue(output), context.Out);
            return CliApp.Success;
        });
        return command;
    }
}
