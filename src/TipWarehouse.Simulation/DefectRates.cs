using System.Reflection;
using TipWarehouse.Core;

namespace TipWarehouse.Simulation;

/// <summary>How often each source defect is injected; every default is above zero so the pipelines always meet them.</summary>
public sealed record DefectRates
{
    /// <summary>Share of hotline calls exported a second time, identical, in the next day's file (default 0.01).</summary>
    public double DuplicateCall { get; init; } = 0.01;

    /// <summary>Share of hotline calls with an empty <c>ubigeo</c> (default 0.02).</summary>
    public double MissingUbigeo { get; init; } = 0.02;

    /// <summary>Share of hotline calls whose <c>ubigeo</c> is not a district code at all (wrong length, letters, unknown code; default 0.01).</summary>
    public double InvalidUbigeo { get; init; } = 0.01;

    /// <summary>Share of hotline calls whose <c>ubigeo</c> is the district's INEI code where RENIEC is expected (only where the two differ; default 0.03).</summary>
    public double IneiUbigeo { get; init; } = 0.03;

    /// <summary>Share of hotline calls whose <c>fecha_hora</c> is not <c>dd/MM/yyyy HH:mm:ss</c> or not a real date (default 0.005).</summary>
    public double MalformedDate { get; init; } = 0.005;

    /// <summary>Share of hotline lines cut short (fewer than 13 fields; default 0.002).</summary>
    public double TruncatedLine { get; init; } = 0.002;

    /// <summary>Number of hotline day files written in UTF-8 instead of Windows-1252 (default 1; chosen by the seed among the first 60 hotline days).</summary>
    public int Utf8Files { get; init; } = 1;

    /// <summary>Share of prosecution events citing a police report whose number is mistyped (transposed digits, missing dash, lower case, wrong year; default 0.06).</summary>
    public double MistypedReportNumber { get; init; } = 0.06;

    /// <summary>Share of prosecution events that do not cite the police report (null; default 0.10).</summary>
    public double MissingReportNumber { get; init; } = 0.10;

    /// <summary>Share of prosecution events reported 1–6 months after their date, so they arrive out of order (default 0.08).</summary>
    public double LateEvent { get; init; } = 0.08;

    /// <summary>Share of police reports and persons corrected (name, age, DNI, modality) weeks after they were first written (default 0.05).</summary>
    public double PoliceLateCorrection { get; init; } = 0.05;

    /// <summary>Rates with every defect switched off.</summary>
    public static DefectRates None { get; } = new()
    {
        DuplicateCall = 0, MissingUbigeo = 0, InvalidUbigeo = 0, IneiUbigeo = 0, MalformedDate = 0, TruncatedLine = 0,
        Utf8Files = 0, MistypedReportNumber = 0, MissingReportNumber = 0, LateEvent = 0, PoliceLateCorrection = 0,
    };

    /// <summary>The CLI flag names (<c>--defect-duplicate-call</c>, ...) with their property, in declaration order.</summary>
    public static IReadOnlyList<(string Flag, PropertyInfo Property)> Flags { get; } =
        [.. typeof(DefectRates).GetProperties(BindingFlags.Public | BindingFlags.Instance)
            .Where(p => p.CanWrite)
            .Select(p => ("--defect-" + Kebab(p.Name), p))];

    /// <summary>Throws <see cref="UsageException"/> when a rate is outside [0, 1] or a count is negative.</summary>
    public void Validate()
    {
        foreach (var (flag, property) in Flags)
        {
            var value = Convert.ToDouble(property.GetValue(this), System.Globalization.CultureInfo.InvariantCulture);
            var max = property.PropertyType == typeof(int) ? 10_000 : 1.0;
            if (!(value >= 0 && value <= max))
            {
                throw new UsageException($"{flag} {value} is out of range: use a value from 0 to {max}.");
            }
        }

        if (MistypedReportNumber + MissingReportNumber > 1)
        {
            throw new UsageException("--defect-mistyped-report-number plus --defect-missing-report-number must not exceed 1.");
        }
    }

    private static string Kebab(string name)
    {
        var builder = new System.Text.StringBuilder();
        foreach (var c in name)
        {
            if (char.IsUpper(c) && builder.Length > 0)
            {
                builder.Append('-');
            }

            builder.Append(char.ToLowerInvariant(c));
        }

        return builder.ToString();
    }
}
