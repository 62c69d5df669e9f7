using System.Globalization;
using System.Text;
using TipWarehouse.Simulation.Reference;
using TipWarehouse.Simulation.Text;

namespace TipWarehouse.Simulation.Hotline;

/// <summary>A hotline call that was passed to a station and became a police report there (the police side of the world needs it).</summary>
internal sealed record HotlineLead(string CallId, DateTime CallTime, CallKind Kind, UbigeoDistrict District, Station Station, DateTime ReferredAt, WorldPerson Victim);

/// <summary>One generated call, before defects are applied to its exported line.</summary>
internal sealed record HotlineCall(
    string Id, DateTime Time, int DurationSeconds, string CallerType, UbigeoDistrict District, WorldPerson? Victim,
    bool ShowName, bool ShowDni, bool ShowAge, bool ShowSex, CallKind Kind, string Narrative, string Category, Station? Station, DateTime? ReferredAt);

/// <summary>Counts of what the hotline exported, for the summary and the tests.</summary>
internal sealed class HotlineStats
{
    public SortedDictionary<string, int> CallsByMonth { get; } = new(StringComparer.Ordinal);

    public SortedDictionary<string, int> TipCallsByMonth { get; } = new(StringComparer.Ordinal);

    public int Calls { get; set; }

    public int TipCalls { get; set; }

    public int FilesWritten { get; set; }

    public int FilesKept { get; set; }

    public int DuplicateLines { get; set; }

    public int MissingUbigeo { get; set; }

    public int InvalidUbigeo { get; set; }

    public int IneiUbigeo { get; set; }

    public int MalformedDates { get; set; }

    public int TruncatedLines { get; set; }

    public List<string> Utf8FileNames { get; } = [];
}

/// <summary>Generates the hotline day by day (each day from its own random stream) and writes the daily CSV drops.</summary>
internal sealed class HotlineGenerator
{
    private const string Header = "id_llamada;fecha_hora;duracion_seg;tipo_llamante;ubigeo;nombre_victima;dni_victima;edad_victima;sexo_victima;relato;categoria_operador;comisaria_derivada;fecha_derivacion";
    private static readonly double[] s_hourWeights = [0.4, 0.3, 0.2, 0.2, 0.2, 0.3, 0.8, 1.5, 2.5, 3.2, 3.5, 3.4, 3.0, 2.8, 3.0, 3.2, 3.3, 3.2, 3.0, 2.6, 2.2, 1.6, 1.1, 0.7];
    private static readonly double[] s_weekdayWeights = [0.86, 1.12, 1.08, 1.04, 1.0, 0.98, 0.92]; // Sunday..Saturday
    private static readonly CallKind[] s_tipKinds = [CallKind.TipSexual, CallKind.TipMining, CallKind.TipLogging, CallKind.TipAgriculture, CallKind.TipDomestic, CallKind.TipBegging];
    private static readonly double[] s_tipWeights = [0.45, 0.18, 0.05, 0.07, 0.15, 0.10];
    private static readonly CallKind[] s_otherKinds = [CallKind.Information, CallKind.Silent, CallKind.Prank, CallKind.DomesticViolence, CallKind.UnpaidWages, CallKind.JobFraud, CallKind.RunawayTeen, CallKind.SexualAssault, CallKind.MissingPerson, CallKind.MinorWorkingWithConsent, CallKind.OtherCrime];
    private static readonly double[] s_otherWeights = [0.24, 0.20, 0.09, 0.13, 0.08, 0.05, 0.05, 0.03, 0.06, 0.02, 0.05];
    private static readonly string[] s_invalidUbigeos = ["999999", "15010", "1501011", "0", "15O101", "000000", "LIMA", "-", "26101", "XX0101"];
    private static readonly Encoding s_latin;

    private readonly SimulationOptions _options;
    private readonly Geography _geography;
    private readonly OperatorStyle[] _operators;
    private readonly HashSet<DateOnly> _utf8Days;

    static HotlineGenerator()
    {
        Encoding.RegisterProvider(CodePagesEncodingProvider.Instance);
        s_latin = Encoding.GetEncoding(1252, new EncoderReplacementFallback("?"), DecoderFallback.ReplacementFallback);
    }

    public HotlineGenerator(SimulationOptions options, Geography geography)
    {
        _options = options;
        _geography = geography;
        var rng = Rng.For(options.Seed, "operators");
        _operators = [.. Enumerable.Range(1, 14).Select(i => new OperatorStyle(
            i,
            UpperCase: rng.Chance(0.3),
            AccentDropRate: rng.NextDouble(),
            AbbreviationRate: rng.NextDouble() * 0.6,
            TypoRate: 0.01 + (rng.NextDouble() * 0.05),
            Brevity: rng.NextDouble() * 0.35,
            MissingCategoryRate: 0.02 + (rng.NextDouble() * 0.12),
            WrongCategoryRate: 0.04 + (rng.NextDouble() * 0.14)))];
        _utf8Days = [];
        var first = FirstDay;
        var span = Math.Min(60, options.To.DayNumber - first.DayNumber + 1);
        var utf8Rng = Rng.For(options.Seed, "utf8-files");
        for (var i = 0; span > 0 && i < options.Defects.Utf8Files && _utf8Days.Count < span; i++)
        {
            var day = first.AddDays(utf8Rng.Next(span));
            if (!_utf8Days.Add(day))
            {
                i--;
            }
        }
    }

    /// <summary>The first day with calls in the window.</summary>
    public DateOnly FirstDay => _options.From > SimulationOptions.HotlineOpening ? _options.From : SimulationOptions.HotlineOpening;

    public static string FileName(DateOnly day) => "llamadas_" + day.ToString("yyyyMMdd", CultureInfo.InvariantCulture) + ".csv";

    /// <summary>Generates every day of the window, writes the day files that are due and not yet written, streams the truth labels, and returns the leads for the police.</summary>
    public List<HotlineLead> Run(string hotlineDirectory, TextWriter labels, HotlineStats stats, IProgress<SimulationProgress>? progress, CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(hotlineDirectory);
        var leads = new List<HotlineLead>();
        var asOf = _options.EffectiveAsOf;
        List<string> carriedDuplicates = [];
        int[]? monthCounts = null;
        var monthStart = DateOnly.MinValue;
        var totalDays = _options.To.DayNumber - FirstDay.DayNumber + 1;
        var builder = new StringBuilder(1 << 16);
        var scratch = new HotlineStats();
        for (var day = FirstDay; day <= _options.To; day = day.AddDays(1))
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (monthCounts is null || day.Month != monthStart.Month || day.Year != monthStart.Year)
            {
                monthStart = new DateOnly(day.Year, day.Month, 1);
                monthCounts = AllocateMonth(monthStart);
            }

            var calls = GenerateDay(day, monthCounts[day.Day - 1], leads);
            var due = day < asOf;
            var dayRng = Rng.For(_options.Seed, "hotline-defects", day.DayNumber);
            builder.Clear();
            builder.Append(Header).Append("\r\n");
            foreach (var duplicate in carriedDuplicates)
            {
                builder.Append(duplicate).Append("\r\n");
            }

            if (due)
            {
                stats.DuplicateLines += carriedDuplicates.Count;
            }

            carriedDuplicates = [];
            foreach (var call in calls)
            {
                var line = FormatLine(call, dayRng, due ? stats : scratch);
                builder.Append(line).Append("\r\n");
                if (dayRng.Chance(_options.Defects.DuplicateCall))
                {
                    carriedDuplicates.Add(line);
                }

                if (due)
                {
                    var month = call.Time.ToString("yyyy-MM", CultureInfo.InvariantCulture);
                    stats.Calls++;
                    stats.CallsByMonth[month] = stats.CallsByMonth.GetValueOrDefault(month) + 1;
                    if (call.Kind.IsTip())
                    {
                        stats.TipCalls++;
                        stats.TipCallsByMonth[month] = stats.TipCallsByMonth.GetValueOrDefault(month) + 1;
                    }

                    labels.Write(call.Id);
                    labels.Write(call.Kind.IsTip() ? ",1," : ",0,");
                    labels.Write(call.Kind.ExploitationType());
                    labels.Write('\n');
                }
            }

            if (due)
            {
                var name = FileName(day);
                var path = Path.Combine(hotlineDirectory, name);
                var utf8 = _utf8Days.Contains(day);
                if (utf8)
                {
                    stats.Utf8FileNames.Add(name);
                }

                if (File.Exists(path))
                {
                    stats.FilesKept++;
                }
                else
                {
                    var encoding = utf8 ? new UTF8Encoding(encoderShouldEmitUTF8Identifier: false) : s_latin;
                    AtomicFile.WriteAllBytes(path, encoding.GetBytes(builder.ToString()));
                    stats.FilesWritten++;
                }
            }

            progress?.Report(new SimulationProgress("hotline", day.DayNumber - FirstDay.DayNumber + 1, totalDays));
        }

        return leads;
    }

    private int[] AllocateMonth(DateOnly monthStart)
    {
        var rng = Rng.For(_options.Seed, "hotline-month", monthStart.DayNumber);
        var days = DateTime.DaysInMonth(monthStart.Year, monthStart.Month);
        var weights = new double[days];
        var open = 0;
        for (var d = 0; d < days; d++)
        {
            var date = monthStart.AddDays(d);
            if (date >= SimulationOptions.HotlineOpening)
            {
                weights[d] = s_weekdayWeights[(int)date.DayOfWeek] * (0.9 + (0.2 * rng.NextDouble()));
                open++;
            }
        }

        // Calibrated to ~1,000 calls a month; mild seasonality (fewer calls around the holidays, more after campaigns).
        var seasonal = monthStart.Month switch { 1 => 0.97, 2 => 0.98, 7 => 1.03, 8 => 1.02, 12 => 0.96, _ => 1.0 };
        var expected = 1000.0 * _options.Scale * seasonal * open / days;
        var total = Math.Max(0, (int)Math.Round(expected + (rng.Normal() * 18 * Math.Sqrt(_options.Scale))));
        var counts = new int[days];
        var cumulative = new double[days];
        double sum = 0;
        for (var d = 0; d < days; d++)
        {
            sum += weights[d];
            cumulative[d] = sum;
        }

        if (sum <= 0)
        {
            return counts;
        }

        for (var i = 0; i < total; i++)
        {
            var x = rng.NextDouble() * sum;
            var at = Array.BinarySearch(cumulative, x);
            counts[at < 0 ? Math.Min(~at, days - 1) : at]++;
        }

        return counts;
    }

    private List<HotlineCall> GenerateDay(DateOnly day, int count, List<HotlineLead> leads)
    {
        var rng = Rng.For(_options.Seed, "hotline-day", day.DayNumber);
        var seconds = new int[count];
        for (var i = 0; i < count; i++)
        {
            seconds[i] = (rng.PickWeighted(s_hourWeights) * 3600) + rng.Next(3600);
        }

        Array.Sort(seconds);
        var calls = new List<HotlineCall>(count);
        // Awareness grows: TIP share slightly under 15% in 2006, slightly over in 2007.
        var tipShare = day.Year <= 2006 ? 0.145 : 0.155;
        var operatorsActive = day < new DateOnly(2006, 9, 1) ? 8 : _operators.Length;
        for (var i = 0; i < count; i++)
        {
            var time = day.ToDateTime(TimeOnly.MinValue).AddSeconds(seconds[i]);
            var id = "L" + day.ToString("yyyyMMdd", CultureInfo.InvariantCulture) + (i + 1).ToString("D5", CultureInfo.InvariantCulture);
            var tip = rng.Chance(tipShare);
            var kind = tip ? s_tipKinds[rng.PickWeighted(s_tipWeights)] : s_otherKinds[rng.PickWeighted(s_otherWeights)];
            var district = _geography.SampleDistrict(rng, tip);
            var callerType = CallerType(rng, kind);
            var victim = NewVictim(rng, kind, callerType);
            var op = _operators[rng.Next(operatorsActive)];
            var narrative = NarrativeComposer.Compose(rng, kind, callerType, victim, district, op);
            var category = Category(rng, kind, op, day);
            var duration = Duration(rng, kind);
            var showName = victim is not null && rng.Chance(tip ? 0.55 : 0.4);
            var showDni = showName && victim!.HasDni && rng.Chance(0.5);
            var showAge = victim is not null && rng.Chance(0.65);
            var showSex = victim is not null && (showName || rng.Chance(0.7));
            Station? station = null;
            DateTime? referredAt = null;
            if (rng.Chance(ReferralRate(kind)))
            {
                station = _geography.NearestStation(district);
                referredAt = time.AddSeconds(duration).AddMinutes(Math.Min(2880, Math.Exp(2 + (rng.NextDouble() * 4))));
                var reportRate = ReportRate(kind, station, day);
                if (victim is not null && rng.Chance(reportRate))
                {
                    leads.Add(new HotlineLead(id, time, kind, district, station, referredAt.Value, victim));
                }
            }

            calls.Add(new HotlineCall(id, time, duration, callerType, district, victim, showName, showDni, showAge, showSex, kind, narrative, category, station, referredAt));
        }

        return calls;
    }

    private static double ReferralRate(CallKind kind) => kind switch
    {
        _ when kind.IsTip() => 0.7,
        CallKind.DomesticViolence => 0.6,
        CallKind.SexualAssault => 0.7,
        CallKind.MissingPerson => 0.5,
        CallKind.RunawayTeen => 0.3,
        CallKind.OtherCrime => 0.3,
        CallKind.JobFraud => 0.2,
        _ => 0,
    };

    private static double ReportRate(CallKind kind, Station station, DateOnly day)
    {
        if (kind.IsTip())
        {
            var trained = station.TrainingDate is { } t && t <= day;
            return trained ? 0.35 : day.Year >= 2007 ? 0.25 : 0.2;
        }

        return kind switch
        {
            CallKind.DomesticViolence => 0.35,
            CallKind.SexualAssault => 0.5,
            CallKind.MissingPerson => 0.3,
            CallKind.JobFraud => 0.3,
            _ => 0.2,
        };
    }

    private static string CallerType(Rng rng, CallKind kind)
    {
        string[] types = ["VICTIMA", "FAMILIAR", "TESTIGO", "ANONIMO", "INSTITUCION", "OTRO"];
        double[] weights = kind switch
        {
            _ when kind.IsTip() => [0.12, 0.38, 0.16, 0.22, 0.10, 0.02],
            CallKind.Silent or CallKind.Prank => [0, 0, 0, 0.9, 0, 0.1],
            CallKind.Information => [0.05, 0.05, 0, 0.3, 0.2, 0.4],
            CallKind.DomesticViolence or CallKind.SexualAssault or CallKind.UnpaidWages or CallKind.JobFraud => [0.55, 0.3, 0.08, 0.05, 0.02, 0],
            CallKind.RunawayTeen or CallKind.MissingPerson => [0, 0.9, 0.02, 0.03, 0.05, 0],
            _ => [0.3, 0.1, 0.2, 0.2, 0.1, 0.1],
        };
        return types[rng.PickWeighted(weights)];
    }

    private static WorldPerson? NewVictim(Rng rng, CallKind kind, string callerType)
    {
        (char Sex, int Age)? profile = kind switch
        {
            CallKind.TipSexual => ('F', rng.Chance(0.6) ? rng.Between(13, 17) : rng.Between(18, 26)),
            CallKind.TipDomestic => (rng.Chance(0.9) ? 'F' : 'M', rng.Between(10, 19)),
            CallKind.TipBegging => (rng.Chance(0.5) ? 'F' : 'M', rng.Between(6, 15)),
            CallKind.TipMining or CallKind.TipLogging or CallKind.TipAgriculture => (rng.Chance(0.2) ? 'F' : 'M', rng.Between(14, 35)),
            CallKind.DomesticViolence => ('F', rng.Between(18, 55)),
            CallKind.SexualAssault => ('F', rng.Between(8, 30)),
            CallKind.RunawayTeen => (rng.Chance(0.7) ? 'F' : 'M', rng.Between(13, 17)),
            CallKind.MissingPerson => (rng.Chance(0.5) ? 'F' : 'M', rng.Between(12, 75)),
            CallKind.UnpaidWages or CallKind.JobFraud => (rng.Chance(0.4) ? 'F' : 'M', rng.Between(18, 50)),
            CallKind.MinorWorkingWithConsent => (rng.Chance(0.6) ? 'F' : 'M', rng.Between(12, 17)),
            _ => null,
        };
        return profile is { } p ? PersonNames.NewPerson(rng, p.Sex, p.Age) : null;
    }

    private static string Category(Rng rng, CallKind kind, OperatorStyle op, DateOnly day)
    {
        if (rng.Chance(op.MissingCategoryRate))
        {
            return "";
        }

        var wrongRate = day >= new DateOnly(2007, 3, 1) ? op.WrongCategoryRate * 0.6 : op.WrongCategoryRate;
        var category = rng.Chance(wrongRate) ? rng.Pick(kind.ConfusedCategories()) : kind.TrueCategory();
        // The labour-exploitation category was only added to the call sheet in August 2006.
        if (category == "EXPLOTACION LABORAL" && day < new DateOnly(2006, 8, 1))
        {
            category = rng.Chance(0.5) ? "OTRO" : "TRATA";
        }

        return category;
    }

    private static int Duration(Rng rng, CallKind kind) => kind switch
    {
        CallKind.Silent => rng.Between(3, 40),
        CallKind.Prank => rng.Between(8, 90),
        CallKind.Information => rng.Between(45, 420),
        _ when kind.IsTip() => (int)Math.Min(3600, 120 + Math.Exp(5.5 + (rng.Normal() * 0.6))),
        _ => (int)Math.Min(2400, 90 + Math.Exp(5 + (rng.Normal() * 0.6))),
    };

    private string FormatLine(HotlineCall call, Rng defects, HotlineStats stats)
    {
        var rates = _options.Defects;
        var fields = new string[13];
        fields[0] = call.Id;
        fields[1] = call.Time.ToString("dd/MM/yyyy HH:mm:ss", CultureInfo.InvariantCulture);
        if (defects.Chance(rates.MalformedDate))
        {
            fields[1] = MalformDate(defects, call.Time);
            stats.MalformedDates++;
        }

        fields[2] = call.DurationSeconds.ToString(CultureInfo.InvariantCulture);
        fields[3] = call.CallerType;
        var u = defects.NextDouble();
        if (u < rates.MissingUbigeo)
        {
            fields[4] = "";
            stats.MissingUbigeo++;
        }
        else if (u < rates.MissingUbigeo + rates.InvalidUbigeo)
        {
            fields[4] = defects.Pick(s_invalidUbigeos);
            stats.InvalidUbigeo++;
        }
        else if (u < rates.MissingUbigeo + rates.InvalidUbigeo + rates.IneiUbigeo && call.District.Inei != call.District.Reniec)
        {
            fields[4] = call.District.Inei;
            stats.IneiUbigeo++;
        }
        else
        {
            fields[4] = call.District.Reniec;
        }

        var victim = call.Victim;
        fields[5] = victim is not null && call.ShowName ? PersonNames.Upper(PersonNames.Vary(defects, PersonNames.FullName(victim))) : "";
        fields[6] = victim is not null && call.ShowDni ? victim.Dni! : "";
        fields[7] = victim is not null && call.ShowAge ? victim.Age.ToString(CultureInfo.InvariantCulture) : "";
        fields[8] = victim is not null && call.ShowSex ? victim.Sex.ToString() : "";
        fields[9] = call.Narrative;
        fields[10] = call.Category;
        fields[11] = call.Station?.Id ?? "";
        fields[12] = call.ReferredAt?.ToString("dd/MM/yyyy HH:mm:ss", CultureInfo.InvariantCulture) ?? "";
        var line = string.Join(';', fields.Select(Quote));
        if (defects.Chance(rates.TruncatedLine))
        {
            stats.TruncatedLines++;
            var separators = new List<int>();
            for (var i = 0; i < line.Length; i++)
            {
                if (line[i] == ';')
                {
                    separators.Add(i);
                }
            }

            // Cut somewhere between the 4th and the 12th separator: the line keeps fewer than 13 fields.
            var from = separators[3] + 1;
            var to = separators[11];
            line = line[..defects.Between(from, to)];
        }

        return line;
    }

    private static string Quote(string field) =>
        field.Contains(';', StringComparison.Ordinal) || field.Contains('"', StringComparison.Ordinal)
            ? "\"" + field.Replace("\"", "\"\"", StringComparison.Ordinal) + "\""
            : field;

    private static string MalformDate(Rng rng, DateTime time) => rng.Next(7) switch
    {
        0 => time.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture),
        1 => time.ToString("dd/MM/yy HH:mm", CultureInfo.InvariantCulture),
        2 => time.ToString("dd-MM-yyyy HH:mm:ss", CultureInfo.InvariantCulture),
        3 => time.ToString("dd/MM/yyyy", CultureInfo.InvariantCulture),
        4 => "00/00/0000 00:00:00",
        5 => "31/" + time.ToString("MM/yyyy", CultureInfo.InvariantCulture) + (time.Month is 2 or 4 or 6 or 9 or 11 ? "" : "x") + " " + time.ToString("HH:mm:ss", CultureInfo.InvariantCulture),
        _ => time.ToString("dd/MM/yyyy", CultureInfo.InvariantCulture) + " 24:" + time.ToString("mm:ss", CultureInfo.InvariantCulture),
    };
}
