using TipWarehouse.Cli;

return await CliApp.RunAsync(args, CliContext.FromConsole());
