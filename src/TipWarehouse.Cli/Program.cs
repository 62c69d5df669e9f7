using TipWarehouse.Cli;
using TipWarehouse.Core;

// Everything a home holds is personal data or derived from it: files this process creates are owner-only (umask 077).
OwnerOnly.RestrictNewFiles();
return await CliApp.RunAsync(args, CliContext.FromConsole());
