using System.Runtime.InteropServices;

namespace TipWarehouse.Core;

/// <summary>
/// Owner-only modes for everything in a home that holds personal data (warehouse, quarantine, logs, models, exports,
/// secrets): folders 700 and files 600 on Unix; the process umask 077 so files that libraries create (DuckDB's
/// warehouse and WAL, Quartz's store, log files) are owner-only from the start. No-ops on Windows (ACLs of the profile).
/// </summary>
public static partial class OwnerOnly
{
    /// <summary>The mode of a home's folders: rwx for the owner only.</summary>
    public const UnixFileMode DirectoryMode = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;

    /// <summary>The mode of a home's files: rw for the owner only.</summary>
    public const UnixFileMode FileMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    private const UnixFileMode GroupOrOther = UnixFileMode.GroupRead | UnixFileMode.GroupWrite | UnixFileMode.GroupExecute
        | UnixFileMode.OtherRead | UnixFileMode.OtherWrite | UnixFileMode.OtherExecute;

    /// <summary>Sets the process umask to 077: every file and folder this process creates afterwards is owner-only.</summary>
    public static void RestrictNewFiles()
    {
        if (!OperatingSystem.IsWindows())
        {
            _ = Umask(0x3F);
        }
    }

    /// <summary>Creates a folder (and its missing parents) owner-only, or takes group and other access away from an existing one.</summary>
    public static void CreateDirectory(string path)
    {
        if (OperatingSystem.IsWindows())
        {
            Directory.CreateDirectory(path);
            return;
        }

        Directory.CreateDirectory(path, DirectoryMode);
        Restrict(path, DirectoryMode);
    }

    /// <summary>Takes group and other access away from a file, if it exists.</summary>
    public static void RestrictFile(string path)
    {
        if (!OperatingSystem.IsWindows() && File.Exists(path))
        {
            Restrict(path, FileMode);
        }
    }

    /// <summary>True when group or others can read, write or enter the file or folder (always false on Windows).</summary>
    public static bool IsOpenToOthers(string path) =>
        !OperatingSystem.IsWindows() && (File.GetUnixFileMode(path) & GroupOrOther) != 0;

    private static void Restrict(string path, UnixFileMode mode)
    {
        if (!OperatingSystem.IsWindows() && (File.GetUnixFileMode(path) & GroupOrOther) != 0)
        {
            File.SetUnixFileMode(path, mode);
        }
    }

    [LibraryImport("libc", EntryPoint = "umask")]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    private static partial uint Umask(uint mask);
}
