using System.Globalization;
using DuckDB.NET.Data;
using Microsoft.ML;
using TipWarehouse.Core;

namespace TipWarehouse.Classifier;

/// <summary>A registered model as stored in <c>dw.dim_model</c>.</summary>
public sealed record RegisteredModel(int ModelKey, string ModelName, string Trainer, double Threshold, bool IsActive, string ArtifactPath)
{
    /// <summary>The model zip, resolved against the home when the stored path is relative.</summary>
    public string ModelPath(TipwHome home)
    {
        ArgumentNullException.ThrowIfNull(home);
        return Path.IsPathRooted(ArtifactPath) ? ArtifactPath : Path.GetFullPath(Path.Combine(home.Root, ArtifactPath));
    }

    /// <summary>The metadata.json beside the model zip.</summary>
    public string MetadataPath(TipwHome home) => Path.Combine(Path.GetDirectoryName(ModelPath(home))!, ModelRegistry.MetadataFileName);

    /// <summary>Loads the model for scoring.</summary>
    public CallScorer LoadScorer(TipwHome home)
    {
        var metadata = File.Exists(MetadataPath(home)) ? ModelMetadata.Load(MetadataPath(home)) : null;
        return CallScorer.Load(ModelPath(home), Threshold, metadata?.Calibrator());
    }
}

/// <summary>The model registry: artifacts under <c>H/models/&lt;name&gt;/</c> and one <c>dw.dim_model</c> row per model.</summary>
public static class ModelRegistry
{
    /// <summary>The model file inside a model's folder.</summary>
    public const string ModelFileName = "model.zip";

    /// <summary>The metadata file inside a model's folder.</summary>
    public const string MetadataFileName = "metadata.json";

    /// <summary>The model name for a trainer at a time: <c>tip-call-&lt;trainer&gt;-&lt;yyyyMMddHHmmss&gt;</c>.</summary>
    public static string NameFor(string trainer, DateTimeOffset at) =>
        $"tip-call-{trainer}-{at.UtcDateTime.ToString("yyyyMMddHHmmss", CultureInfo.InvariantCulture)}";

    /// <summary>Builds the metadata of a training result.</summary>
    public static ModelMetadata Describe(string modelName, TrainingResult result, TrainingOptions options, LabelledCalls source, DateTimeOffset trainedAt)
    {
        ArgumentNullException.ThrowIfNull(result);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(source);
        var split = result.Split;
        return new ModelMetadata
        {
            ModelName = modelName,
            Trainer = options.Trainer,
            TrainedAt = trainedAt,
            Threshold = result.Threshold,
            RecallTarget = options.RecallTarget,
            ThresholdRule = ThresholdRule(options),
            Features = CallClassifierTrainer.FeatureDescriptions,
            LabelSource = TipLabels.TrainingLabelSource,
            SupervisorLabels = result.SupervisorLabels,
            SupervisorLabelsChanged = result.SupervisorLabelsChanged,
            SupervisorLabelsHeldOut = result.SupervisorLabelsHeldOut,
            ExtraNarratives = result.ExtraNarratives,
            ExtraNarrativeWeight = result.ExtraNarratives > 0 ? options.ExtraNarrativeWeight : 0,
            ExtraNarrativesSource = result.ExtraNarratives > 0 ? options.ExtraNarrativesSource : string.Empty,
            TrainFrom = split.TrainFrom,
            TrainTo = options.Refit ? split.TrainTo : split.ValidationFrom.AddDays(-1),
            ValidationFrom = split.ValidationFrom,
            TestFrom = split.TestFrom,
            TestTo = split.TestTo,
            TrainRows = split.Fit.Count + (options.Refit ? split.Validation.Count : 0),
            TrainPositives = split.Fit.Count(c => c.Label) + (options.Refit ? split.Validation.Count(c => c.Label) : 0),
            ValidationRows = split.Validation.Count,
            TestRows = split.Test.Count,
            UnlabelledExcluded = source.Unlabelled,
            DuplicatesRemoved = split.DuplicatesRemoved,
            FitCallsAvailable = result.FitCallsAvailable,
            TrainingSeconds = Math.Round(result.Duration.TotalSeconds, 2),
            Seed = options.Seed,
            IsotonicCalibration = result.Calibration,
            PrevalenceSd = result.PrevalenceSd,
            PrecisionFloor = options.PrecisionFloor,
            ValidationMetrics = result.ValidationMetrics,
            TestMetrics = result.TestMetrics,
        };
    }

    /// <summary>A sentence saying how the threshold of a model trained with <paramref name="options"/> was chosen.</summary>
    public static string ThresholdRule(TrainingOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var rule = string.Create(CultureInfo.InvariantCulture, $"highest threshold reaching recall {options.RecallTarget:0.00} on the validation months (warehouse labels, calibrated probabilities), raised if needed to keep precision {options.PrecisionFloor:0.00}");
        return options.GapShare > 0
            ? rule + string.Create(CultureInfo.InvariantCulture, $", then lowered to the middle (log-odds) of the score band below it that flags at most {options.GapShare:P0} more validation calls")
            : rule;
    }

    /// <summary>Saves the model and its metadata under the home and registers it in <c>dw.dim_model</c>; optionally activates it.</summary>
    public static RegisteredModel Register(DuckDBConnection connection, TipwHome home, TrainingResult result, ModelMetadata metadata, bool activate)
    {
        ArgumentNullException.ThrowIfNull(connection);
        ArgumentNullException.ThrowIfNull(home);
        ArgumentNullException.ThrowIfNull(result);
        ArgumentNullException.ThrowIfNull(metadata);
        var folder = Path.Combine(home.ModelsDirectory, metadata.ModelName);
        if (Directory.Exists(folder))
        {
            throw new TipwException($"A model named {metadata.ModelName} already exists in {home.ModelsDirectory}; train again in a later second.");
        }

        Directory.CreateDirectory(folder);
        new MLContext(metadata.Seed).Model.Save(result.Model, result.InputSchema, Path.Combine(folder, ModelFileName));
        metadata.Save(Path.Combine(folder, MetadataFileName));
        var relative = Path.GetRelativePath(home.Root, Path.Combine(folder, ModelFileName)).Replace('\\', '/');

        using var transaction = connection.BeginTransaction();
        using var insert = connection.CreateCommand();
        insert.Transaction = transaction;
        insert.CommandText = """
            INSERT INTO dw.dim_model (model_name, trainer, trained_at, train_from, train_to, test_from, test_to, threshold,
                                      auc, pr_auc, precision, recall, f1, is_active, artifact_path, label_source,
                                      prevalence_sd, recall_target, precision_floor)
            VALUES ($name, $trainer, $trained_at, $train_from, $train_to, $test_from, $test_to, $threshold,
                    $auc, $pr_auc, $precision, $recall, $f1, false, $artifact, $label_source,
                    $prevalence_sd, $recall_target, $precision_floor)
            RETURNING model_key
            """;
        var m = metadata.TestMetrics;
        insert.Parameters.Add(new DuckDBParameter("name", metadata.ModelName));
        insert.Parameters.Add(new DuckDBParameter("trainer", metadata.Trainer));
        insert.Parameters.Add(new DuckDBParameter("trained_at", metadata.TrainedAt.UtcDateTime));
        insert.Parameters.Add(new DuckDBParameter("train_from", metadata.TrainFrom.ToDateTime(TimeOnly.MinValue)));
        insert.Parameters.Add(new DuckDBParameter("train_to", metadata.TrainTo.ToDateTime(TimeOnly.MinValue)));
        insert.Parameters.Add(new DuckDBParameter("test_from", metadata.TestFrom.ToDateTime(TimeOnly.MinValue)));
        insert.Parameters.Add(new DuckDBParameter("test_to", metadata.TestTo.ToDateTime(TimeOnly.MinValue)));
        insert.Parameters.Add(new DuckDBParameter("threshold", metadata.Threshold));
        insert.Parameters.Add(new DuckDBParameter("auc", NullIfNaN(m.Auc)));
        insert.Parameters.Add(new DuckDBParameter("pr_auc", NullIfNaN(m.PrAuc)));
        insert.Parameters.Add(new DuckDBParameter("precision", m.Precision));
        insert.Parameters.Add(new DuckDBParameter("recall", m.Recall));
        insert.Parameters.Add(new DuckDBParameter("f1", m.F1));
        insert.Parameters.Add(new DuckDBParameter("artifact", relative));
        insert.Parameters.Add(new DuckDBParameter("label_source", TruncateTo(metadata.LabelSource, 200)));
        insert.Parameters.Add(new DuckDBParameter("prevalence_sd", metadata.PrevalenceSd));
        insert.Parameters.Add(new DuckDBParameter("recall_target", metadata.RecallTarget));
        insert.Parameters.Add(new DuckDBParameter("precision_floor", metadata.PrecisionFloor));
        var key = Convert.ToInt32(insert.ExecuteScalar(), CultureInfo.InvariantCulture);
        if (activate)
        {
            Activate(connection, transaction, key);
        }

        transaction.Commit();
        return new RegisteredModel(key, metadata.ModelName, metadata.Trainer, metadata.Threshold, activate, relative);
    }

    /// <summary>Makes the named model the only active one.</summary>
    public static RegisteredModel Activate(DuckDBConnection connection, string modelName)
    {
        ArgumentNullException.ThrowIfNull(connection);
        var model = Find(connection, modelName)
            ?? throw new TipwException($"No model named '{modelName}'. 'tipw model list' shows the registered models.");
        using var transaction = connection.BeginTransaction();
        Activate(connection, transaction, model.ModelKey);
        transaction.Commit();
        return model with { IsActive = true };
    }

    /// <summary>The active model, or null when none is active.</summary>
    public static RegisteredModel? Active(DuckDBConnection connection) => Query(connection, "is_active AND model_key <> -1", null).FirstOrDefault();

    /// <summary>The active model; a <see cref="TipwException"/> that says how to train one when none is active.</summary>
    public static RegisteredModel RequireActive(DuckDBConnection connection, TipwHome home) =>
        Active(connection)
        ?? throw new TipwException($"No active model. Train and activate one first: tipw model train --home {home.Root} --activate");

    /// <summary>A model by name, or null.</summary>
    public static RegisteredModel? Find(DuckDBConnection connection, string modelName) => Query(connection, "model_name = $name", modelName).FirstOrDefault();

    /// <summary>All registered models, newest first, as the table <c>tipw model list</c> shows.</summary>
    public static ResultTable List(DuckDBConnection connection)
    {
        ArgumentNullException.ThrowIfNull(connection);
        using var command = connection.CreateCommand();
        command.CommandText = """
            SELECT model_name AS model, auc, pr_auc, "precision", recall, f1, threshold, CAST(is_active AS BOOLEAN) AS active,
                   trainer, trained_at, train_from, train_to, test_from, test_to, artifact_path, recall_target, precision_floor,
                   prevalence_sd
            FROM dw.dim_model WHERE model_key <> -1
            ORDER BY trained_at DESC, model_key DESC
            """;
        using var reader = command.ExecuteReader();
        return ResultTable.FromReader(reader);
    }

    private static void Activate(DuckDBConnection connection, DuckDBTransaction transaction, int modelKey)
    {
        using var command = connection.CreateCommand();
        command.Transaction = transaction;
        // Two statements: DuckDB checks the unique key per row, and keeping exactly one active row is the point.
        command.CommandText = "UPDATE dw.dim_model SET is_active = false WHERE CAST(is_active AS BOOLEAN) AND model_key <> $key; UPDATE dw.dim_model SET is_active = true WHERE model_key = $key;";
        command.Parameters.Add(new DuckDBParameter("key", modelKey));
        command.ExecuteNonQuery();
    }

    private static List<RegisteredModel> Query(DuckDBConnection connection, string where, string? name)
    {
        ArgumentNullException.ThrowIfNull(connection);
        using var command = connection.CreateCommand();
        command.CommandText = $"SELECT model_key, model_name, trainer, threshold, CAST(is_active AS BOOLEAN), coalesce(artifact_path, '') FROM dw.dim_model WHERE {where.Replace("is_active", "CAST(is_active AS BOOLEAN)", StringComparison.Ordinal)} ORDER BY model_key DESC";
        if (name is not null)
        {
            command.Parameters.Add(new DuckDBParameter("name", name));
        }

        using var reader = command.ExecuteReader();
        var models = new List<RegisteredModel>();
        while (reader.Read())
        {
            models.Add(new RegisteredModel(Convert.ToInt32(reader.GetValue(0), CultureInfo.InvariantCulture), reader.GetString(1), reader.GetString(2),
                Convert.ToDouble(reader.GetValue(3), CultureInfo.InvariantCulture), reader.GetBoolean(4), reader.GetString(5)));
        }

        return models;
    }

    private static object NullIfNaN(double value) => double.IsNaN(value) ? DBNull.Value : value;

    private static string TruncateTo(string text, int length) => text.Length <= length ? text : text[..length];
}
