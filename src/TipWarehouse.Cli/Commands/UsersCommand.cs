using System.CommandLine;
using TipWarehouse.Cli.Output;
using TipWarehouse.Core;
using TipWarehouse.Web;

namespace TipWarehouse.Cli.Commands;

/// <summary><c>tipw users add|list|remove|token</c>: the users and bearer tokens of <c>tipw serve --web</c>; every change is audited.</summary>
internal static class UsersCommand
{
    public static Command Create(CliContext context)
    {
        var command = new Command("users", "Manage the users of 'tipw serve --web' (roles: " + string.Join(", ", WebRoles.All) + ")");
        command.Subcommands.Add(Add(context));
        command.Subcommands.Add(List(context));
        command.Subcommands.Add(Remove(context));
        command.Subcommands.Add(Token(context));
        return command;
    }

    private static Command Add(CliContext context)
    {
        var home = CommonOptions.Home();
        var name = new Argument<string>("name") { Description = "The user name (lowercase letters, digits, '.', '_', '-')" };
        var role = new Option<string>("--role") { Description = "The role: " + string.Join(", ", WebRoles.All), Required = true };
        var command = new Command("add", "Add a user; the password is read from the first line of stdin") { name, home, role };
        command.SetAction(parseResult =>
        {
            var password = context.In.ReadLine()
                ?? throw new UsageException("Give the password on stdin, e.g. printf '%s\\n' \"$PASSWORD\" | tipw users add NAME --role ROLE.");
            var tipwHome = TipwHome.At(parseResult.GetValue(home));
            var user = Store(context, tipwHome).Add(parseResult.GetValue(name)!, parseResult.GetValue(role)!, password);
            Audit(context, tipwHome, "add", user.Name, user.Role);
            context.Error.WriteLine($"tipw users: added {user.Name} ({user.Role}).");
            return CliApp.Success;
        });
        return command;
    }

    private static Command List(CliContext context)
    {
        var home = CommonOptions.Home();
        var format = CommonOptions.Format("table", "csv", "json");
        var output = CommonOptions.Out();
        var command = new Command("list", "List the users with their roles and live tokens") { home, format, output };
        command.SetAction(parseResult =>
        {
            var table = Store(context, TipwHome.At(parseResult.GetValue(home))).List();
            ResultWriter.WriteTo(table, parseResult.GetValue(format)!, parseResult.GetValue(output), context.Out);
            return CliApp.Success;
        });
        return command;
    }

    private static Command Remove(CliContext context)
    {
        var home = CommonOptions.Home();
        var name = new Argument<string>("name") { Description = "The user to remove (its tokens are revoked)" };
        var command = new Command("remove", "Remove a user and revoke its tokens") { name, home };
        command.SetAction(parseResult =>
        {
            var tipwHome = TipwHome.At(parseResult.GetValue(home));
            var user = parseResult.GetValue(name)!;
            Store(context, tipwHome).Remove(user);
            Audit(context, tipwHome, "remove", user, null);
            context.Error.WriteLine($"tipw users: removed {user}.");
            return CliApp.Success;
        });
        return command;
    }

    private static Command Token(CliContext context)
    {
        var home = CommonOptions.Home();
        var name = new Argument<string>("name") { Description = "The user" };
        var revoke = new Option<bool>("--revoke") { Description = "Revoke every live token of the user instead of issuing one" };
        var command = new Command("token", "Issue a bearer token for scripts (printed once to stdout), or revoke them with --revoke") { name, home, revoke };
        command.SetAction(parseResult =>
        {
            var tipwHome = TipwHome.At(parseResult.GetValue(home));
            var user = parseResult.GetValue(name)!;
            var store = Store(context, tipwHome);
            if (parseResult.GetValue(revoke))
            {
                var count = store.RevokeTokens(user);
                Audit(context, tipwHome, "revoke_tokens", user, null);
                context.Error.WriteLine($"tipw users: revoked {count} token(s) of {user}.");
                return CliApp.Success;
            }

            var token = store.IssueToken(user);
            Audit(context, tipwHome, "issue_token", user, null);
            context.Out.WriteLine(token);
            context.Error.WriteLine($"tipw users: token for {user}; send it as 'Authorization: Bearer TOKEN'. It is not shown again.");
            return CliApp.Success;
        });
        return command;
    }

    private static UserStore Store(CliContext context, TipwHome home) => new(home, context.Time);

    private static void Audit(CliContext context, TipwHome home, string change, string user, string? role) =>
        new AuditLog(home, context.Time).Record(
            context.GetEnvironmentVariable("USER") ?? "cli", WebRoles.Admin, AuditLog.UserChange,
            new Dictionary<string, string?> { ["change"] = change, ["user"] = user, ["role"] = role });
}
