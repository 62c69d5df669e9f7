using System.CommandLine;

namespace TipWarehouse.Cli.Commands;

/// <summary>Every top-level <c>tipw</c> command, in the order <c>--help</c> lists them.</summary>
internal static class CommandCatalog
{
    public static IEnumerable<Command> Create(CliContext context)
    {
        yield return DemoCommand.Create(context);
        yield return InitCommand.Create(context);
        yield return SchemaCommand.Create(context);
        yield return SimulateCommand.Create(context);
        yield return RunCommand.Create(context);
        yield return RebuildCommand.Create(context);
        yield return RunsCommand.Create(context);
        yield return CheckCommand.Create(context);
        yield return DocsCommand.Create(context);
        yield return TestCommand.Create(context);
        yield return ServeCommand.Create(context);
        yield return ScheduleCommand.Create(context);
        yield return ModelCommand.Create(context);
        yield return LinkageCommand.Create(context);
        yield return EvaluateCommand.Create(context);
        yield return ReportCommand.Create(context);
        yield return QueryCommand.Create(context);
        yield return ExportCommand.Create(context);
        yield return UsersCommand.Create(context);
        yield return AuditCommand.Create(context);
    }
}
