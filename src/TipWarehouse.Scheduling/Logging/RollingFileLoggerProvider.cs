using System.Collections.Concurrent;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Logging;

namespace TipWarehouse.Scheduling.Logging;

/// <summary>Where and how much the rolling file logger writes.</summary>
public sealed record RollingFileLoggerOptions(string Directory)
{
    /// <summary>File name prefix; files are <c>{prefix}-{yyyyMMdd}.log</c>, then <c>-1</c>, <c>-2</c>... when a day's file is full.</summary>
    public string Prefix { get; init; } = "tipw";

    /// <summary>A file rolls over to the next one at this size.</summary>
    public long MaxFileBytes { get; init; } = 10 * 1024 * 1024;

    /// <summary>How many log files are kept; older ones are deleted when a new one starts.</summary>
    public int RetainedFiles { get; init; } = 14;

    /// <summary>The lowest level written.</summary>
    public LogLevel MinimumLevel { get; init; } = LogLevel.Information;
}

/// <summary>
/// Writes structured logs as JSON lines (timestamp, level, category, message, the message template's values and
/// scope values) to files under <c>H/logs</c> that roll by day and by size.
/// </summary>
[ProviderAlias("RollingFile")]
public sealed class RollingFileLoggerProvider : ILoggerProvider, ISupportExternalScope
{
    private readonly RollingFileLoggerOptions _options;
    private readonly TimeProvider _time;
    private readonly Lock _gate = new();
    private readonly ConcurrentDictionary<string, FileLogger> _loggers = new(StringComparer.Ordinal);
    private IExternalScopeProvider _scopes = new LoggerExternalScopeProvider();
    private StreamWriter? _writer;
    private string? _currentPath;
    private string? _currentDay;
    private bool _disposed;

    public RollingFileLoggerProvider(RollingFileLoggerOptions options, TimeProvider time)
    {
        _options = options ?? throw new ArgumentNullException(nameof(options));
        _time = time ?? throw new ArgumentNullException(nameof(time));
        System.IO.Directory.CreateDirectory(options.Directory);
    }

    /// <summary>The file written last (null before the first line).</summary>
    public string? CurrentPath
    {
        get
        {
            lock (_gate)
            {
                return _currentPath;
            }
        }
    }

    public ILogger CreateLogger(string categoryName) => _loggers.GetOrAdd(categoryName, name => new FileLogger(this, name));

    public void SetScopeProvider(IExternalScopeProvider scopeProvider) => _scopes = scopeProvider;

    public void Dispose()
    {
        lock (_gate)
        {
            _disposed = true;
            _writer?.Dispose();
            _writer = null;
        }
    }

    private void Write<TState>(string category, LogLevel level, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        var now = _time.GetUtcNow();
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteString("ts", now.ToString("yyyy-MM-ddTHH:mm:ss.fffZ", CultureInfo.InvariantCulture));
            json.WriteString("level", level.ToString());
            json.WriteString("category", category);
            if (eventId.Id != 0)
            {
                json.WriteNumber("event_id", eventId.Id);
            }

            json.WriteString("message", formatter(state, exception));
            if (state is IReadOnlyList<KeyValuePair<string, object?>> values)
            {
                foreach (var (key, value) in values)
                {
                    if (key != "{OriginalFormat}")
                    {
                        json.WriteString(key, Convert.ToString(value, CultureInfo.InvariantCulture));
                    }
                }
            }

            _scopes.ForEachScope(
                static (scope, writer) =>
                {
                    if (scope is IEnumerable<KeyValuePair<string, object?>> pairs)
                    {
                        foreach (var (key, value) in pairs)
                        {
                            if (key != "{OriginalFormat}")
                            {
                                writer.WriteString("scope." + key, Convert.ToString(value, CultureInfo.InvariantCulture));
                            }
                        }
                    }
                },
                json);
            if (exception is not null)
            {
                json.WriteString("exception", exception.ToString());
            }

            json.WriteEndObject();
        }

        var line = Encoding.UTF8.GetString(buffer.ToArray());
        lock (_gate)
        {
            if (_disposed)
            {
                return;
            }

            var writer = WriterFor(now);
            writer.WriteLine(line);
            writer.Flush();
        }
    }

    private StreamWriter WriterFor(DateTimeOffset now)
    {
        var day = now.ToString("yyyyMMdd", CultureInfo.InvariantCulture);
        if (_writer is not null && day == _currentDay && _writer.BaseStream.Length < _options.MaxFileBytes)
        {
            return _writer;
        }

        _writer?.Dispose();
        var index = 0;
        string path;
        do
        {
            path = Path.Combine(_options.Directory, index == 0 ? $"{_options.Prefix}-{day}.log" : $"{_options.Prefix}-{day}-{index}.log");
            index++;
        }
        while (File.Exists(path) && new FileInfo(path).Length >= _options.MaxFileBytes);

        var stream = new FileStream(path, FileMode.Append, FileAccess.Write, FileShare.ReadWrite | FileShare.Delete);
        _writer = new StreamWriter(stream, new UTF8Encoding(false));
        _currentPath = path;
        _currentDay = day;
        DeleteOldFiles();
        return _writer;
    }

    private void DeleteOldFiles()
    {
        var files = new DirectoryInfo(_options.Directory)
            .GetFiles($"{_options.Prefix}-*.log")
            .OrderByDescending(f => f.LastWriteTimeUtc)
            .ThenByDescending(f => f.Name, StringComparer.Ordinal)
            .Skip(Math.Max(1, _options.RetainedFiles));
        foreach (var file in files)
        {
            if (!string.Equals(file.FullName, Path.GetFullPath(_currentPath!), StringComparison.Ordinal))
            {
                try
                {
                    file.Delete();
                }
                catch (IOException)
                {
                    // Another process may still hold an old file open; it is retried at the next roll.
                }
            }
        }
    }

    private sealed class FileLogger(RollingFileLoggerProvider provider, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => provider._scopes.Push(state);

        public bool IsEnabled(LogLevel logLevel) => logLevel != LogLevel.None && logLevel >= provider._options.MinimumLevel;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (IsEnabled(logLevel))
            {
                provider.Write(category, logLevel, eventId, state, exception, formatter);
            }
        }
    }
}
