using System.Text;
using TipWarehouse.Core;

namespace TipWarehouse.Classifier;

/// <summary>How a warehouse call gets its training label: the operator's category, overridden by a confirmed TIP link.</summary>
/// <remarks>
/// Positive: the operator category is a TIP category (TRATA..., EXPLOTACION..., PROXENETISMO, MENDICIDAD FORZADA, SERVIDUMBRE,
/// TRABAJO FORZOSO), or the call is linked (<c>dw.bridge_case_link</c>, <c>hotline_police</c>, status <c>linked</c>) to a police
/// report flagged <c>is_tip_related</c>. Negative: any other non-empty category and no such link. Unlabelled (not used for
/// training or warehouse-side evaluation): no category and no TIP link. For training, a supervisor's confirm/reject of a call
/// (<see cref="CallReview"/>) replaces this label in the fit and validation months. The simulator's truth folder is never read here.
/// </remarks>
public static class TipLabels
{
    /// <summary>The label source recorded in <c>dim_model.label_source</c> and the model metadata.</summary>
    public const string LabelSource = "operator_category (TIP categories) OR hotline_police link to a TIP-related police report; missing category = unlabelled";

    /// <summary>The label source of training (<c>tipw model train</c>): the warehouse label, except that in the fit and
    /// validation months a supervisor's latest decision (<c>meta.call_label_decision</c>) wins; the test months keep the warehouse label.</summary>
    public const string TrainingLabelSource = LabelSource + "; supervisor decision wins outside the test months";

    private static readonly string[] s_tipPrefixes = ["TRATA", "EXPLOTACION", "PROXENETISMO", "MENDICIDAD", "SERVIDUMBRE", "TRABAJO FORZOSO", "PROSTITUCION", "PORNOGRAFIA INFANTIL"];

    /// <summary>Maps an operator category to positive (true), negative (false) or unlabelled (null).</summary>
    public static bool? FromOperatorCategory(string? category)
    {
        if (string.IsNullOrWhiteSpace(category))
        {
            return null;
        }

        var folded = Fold(category);
        foreach (var prefix in s_tipPrefixes)
        {
            if (folded.StartsWith(prefix, StringComparison.Ordinal))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>Upper case, accents removed, whitespace collapsed.</summary>
    public static string Fold(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var folded = TextFolding.RemoveAccents(text.Trim().ToUpperInvariant());
        var sb = new StringBuilder(folded.Length);
        var lastSpace = false;
        foreach (var c in folded)
        {
            if (char.IsWhiteSpace(c))
            {
                if (!lastSpace)
                {
                    sb.Append(' ');
                }

                lastSpace = true;
                continue;
            }

            lastSpace = false;
            sb.Append(c);
        }

        return sb.ToString();
    }
}
