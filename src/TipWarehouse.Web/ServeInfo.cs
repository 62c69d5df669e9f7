using System.Diagnostics;
using System.Text.Json;
using TipWarehouse.Core;

namespace TipWarehouse.Web;

/// <summary>The <c>serve.json</c> a running <c>tipw serve --web</c> writes into its home (owner-only): its URL and a local owner token, so the CLI's commands go through it instead of the locked file.</summary>
public sealed record ServeInfo(string Url, string Token, int ProcessId)
{
    /// <summary>Where the file lives in <paramref name="home"/>.</summary>
    public static string PathIn(TipwHome home)
    {
        ArgumentNullException.ThrowIfNull(home);
        return Path.Combine(home.Root, "serve.json");
    }

    /// <summary>Writes the file readable and writable by its owner only.</summary>
    public void Write(TipwHome home)
    {
        var path = PathIn(home);
        File.Delete(path);
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }

        using var stream = new FileStream(path, options);
        JsonSerializer.Serialize(stream, this);
    }

    /// <summary>The server running on <paramref name="home"/>, or null when there is none (no file, or its process is gone).</summary>
    public static ServeInfo? Read(TipwHome home)
    {
        var path = PathIn(home);
        if (!File.Exists(path))
        {
            return null;
        }

        ServeInfo? info;
        try
        {
            info = JsonSerializer.Deserialize<ServeInfo>(File.ReadAllText(path));
        }
        catch (Exception ex) when (ex is JsonException or IOException or UnauthorizedAccessException)
        {
            return null;
        }

        return info is not null && IsRunning(info.ProcessId) ? info : null;
    }

    /// <summary>Removes the file (the server stops).</summary>
    public static void Delete(TipwHome home) => File.Delete(PathIn(home));

    private static bool IsRunning(int processId)
    {
        try
        {
            using var process = Process.GetProcessById(processId);
            return !process.HasExited;
        }
        catch (ArgumentException)
        {
            return false;
        }
    }
}
