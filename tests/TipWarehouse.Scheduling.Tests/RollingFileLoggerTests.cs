using System.Text.Json;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;
using TipWarehouse.Scheduling.Logging;

namespace TipWarehouse.Scheduling.Tests;

public sealed class RollingFileLoggerTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "tipw-logs-" + Guid.NewGuid().ToString("N"));
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2006, 3, 13, 23, 59, 0, TimeSpan.Zero));

    [Fact]
    public void Log_lines_are_json_with_template_values_and_scope_values()
    {
        using (var provider = new RollingFileLoggerProvider(new RollingFileLoggerOptions(_dir), _time))
        using (var factory = LoggerFactory.Create(b => b.AddProvider(provider)))
        {
            var logger = factory.CreateLogger("TipWarehouse.Scheduling.PipelineJob");
            using (logger.BeginScope(new Dictionary<string, object?> { ["fire_id"] = "F1" }))
            {
                logger.LogWarning("Pipeline {Pipeline} failed on attempt {Attempt}", "police", 2);
            }

            logger.LogDebug("not written below the minimum level");
        }

        var line = Assert.Single(File.ReadAllLines(Path.Combine(_dir, "tipw-20060313.log")));
        using var json = JsonDocument.Parse(line);
        var root = json.RootElement;
        Assert.Equal("2006-03-13T23:59:00.000Z", root.GetProperty("ts").GetString());
        Assert.Equal("Warning", root.GetProperty("level").GetString());
        Assert.Equal("Pipeline police failed on attempt 2", root.GetProperty("message").GetString());
        Assert.Equal("police", root.GetProperty("Pipeline").GetString());
        Assert.Equal("2", root.GetProperty("Attempt").GetString());
        Assert.Equal("F1", root.GetProperty("scope.fire_id").GetString());
    }

    [Fact]
    public void Files_roll_by_day_and_by_size_and_old_files_are_deleted()
    {
        var options = new RollingFileLoggerOptions(_dir) { MaxFileBytes = 400, RetainedFiles = 3 };
        using (var provider = new RollingFileLoggerProvider(options, _time))
        {
            var logger = provider.CreateLogger("test");
            logger.LogInformation("first day");
            _time.Advance(TimeSpan.FromMinutes(2));
            for (var i = 0; i < 12; i++)
            {
                logger.LogInformation("second day line {Index} with some padding to fill the file quickly", i);
            }
        }

        var files = Directory.GetFiles(_dir).Select(Path.GetFileName).Order(StringComparer.Ordinal).ToList();
        Assert.Equal(3, files.Count);
        Assert.All(files, f => Assert.StartsWith("tipw-20060314", f, StringComparison.Ordinal));
        Assert.All(Directory.GetFiles(_dir), f => Assert.True(new FileInfo(f).Length < 400 + 300));
    }

    public void Dispose()
    {
        if (Directory.Exists(_dir))
        {
            Directory.Delete(_dir, recursive: true);
        }
    }
}
