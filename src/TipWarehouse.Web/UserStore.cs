using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;
using DuckDB.NET.Data;
using Microsoft.AspNetCore.Identity;
using TipWarehouse.Core;

namespace TipWarehouse.Web;

/// <summary>A user of the web app: name and role.</summary>
public sealed record WebUser(string Name, string Role);

/// <summary>Users (<c>meta.app_user</c>, ASP.NET Core Identity's salted PBKDF2 hashes) and their revocable bearer tokens (<c>meta.api_token</c>, SHA-256 only).</summary>
public sealed partial class UserStore(TipwHome home, TimeProvider time)
{
    /// <summary>The shortest password accepted.</summary>
    public const int MinimumPasswordLength = 10;

    private static readonly PasswordHasher<WebUser> s_hasher = new();
    private static readonly Lock s_writeLock = new();

    /// <summary>Adds a user; fails when the name is taken, the role unknown or the password too short.</summary>
    public WebUser Add(string name, string role, string password)
    {
        ArgumentNullException.ThrowIfNull(password);
        var user = new WebUser(ValidateName(name), WebRoles.Validate(role));
        if (password.Length < MinimumPasswordLength)
        {
            throw new UsageException($"The password must have at least {MinimumPasswordLength} characters.");
        }

        lock (s_writeLock)
        {
            using var connection = Warehouse.Open(home);
            if (Find(connection, user.Name) is not null)
            {
                throw new UsageException($"User '{user.Name}' already exists; remove it first ('tipw users remove {user.Name}').");
            }

            Sql.Execute(connection, "INSERT INTO meta.app_user (user_name, role, password_hash, created_at) VALUES ($name, $role, $hash, $at)",
                ("name", user.Name), ("role", user.Role), ("hash", s_hasher.HashPassword(user, password)), ("at", Now()));
        }

        return user;
    }

    /// <summary>Removes a user and revokes its tokens; fails when there is no such user.</summary>
    public void Remove(string name)
    {
        lock (s_writeLock)
        {
            using var connection = Warehouse.Open(home);
            _ = Find(connection, name) ?? throw new UsageException($"No user '{name}' (see 'tipw users list').");
            Sql.Execute(connection, "UPDATE meta.api_token SET revoked_at = $at WHERE user_name = $name AND revoked_at IS NULL", ("name", name), ("at", Now()));
            Sql.Execute(connection, "DELETE FROM meta.app_user WHERE user_name = $name", ("name", name));
        }
    }

    /// <summary>Every user with its role, creation time and number of live tokens.</summary>
    public ResultTable List()
    {
        using var connection = Warehouse.Open(home, readOnly: true);
        using var command = connection.CreateCommand();
        command.CommandText = """
            SELECT u.user_name, u.role, u.created_at,
                   (SELECT count(*) FROM meta.api_token t WHERE t.user_name = u.user_name AND t.revoked_at IS NULL) AS active_tokens
            FROM meta.app_user u ORDER BY u.user_name
            """;
        using var reader = command.ExecuteReader();
        return ResultTable.FromReader(reader);
    }

    /// <summary>Issues a new bearer token for <paramref name="name"/>; only its SHA-256 is stored, so it is shown once.</summary>
    public string IssueToken(string name)
    {
        var token = "tipw_" + Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)).TrimEnd('=').Replace('+', '-').Replace('/', '_');
        lock (s_writeLock)
        {
            using var connection = Warehouse.Open(home);
            _ = Find(connection, name) ?? throw new UsageException($"No user '{name}' (see 'tipw users list').");
            var id = Sql.Scalar<long>(connection, "SELECT COALESCE(max(token_id), 0) + 1 FROM meta.api_token");
            Sql.Execute(connection, "INSERT INTO meta.api_token (token_id, user_name, token_sha256, created_at) VALUES ($id, $name, $hash, $at)", ("id", id), ("name", name), ("hash", Sha256(token)), ("at", Now()));
        }

        return token;
    }

    /// <summary>Revokes every live token of <paramref name="name"/>; returns how many.</summary>
    public int RevokeTokens(string name)
    {
        lock (s_writeLock)
        {
            using var connection = Warehouse.Open(home);
            _ = Find(connection, name) ?? throw new UsageException($"No user '{name}' (see 'tipw users list').");
            return Sql.Execute(connection, "UPDATE meta.api_token SET revoked_at = $at WHERE user_name = $name AND revoked_at IS NULL", ("name", name), ("at", Now()));
        }
    }

    /// <summary>The user when <paramref name="password"/> matches its hash, else null.</summary>
    public WebUser? VerifyPassword(string name, string password)
    {
        using var connection = Warehouse.Open(home, readOnly: true);
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT role, password_hash FROM meta.app_user WHERE user_name = $1";
        command.Parameters.Add(new DuckDBParameter(name));
        using var reader = command.ExecuteReader();
        if (!reader.Read())
        {
            return null;
        }

        var user = new WebUser(name, reader.GetString(0));
        return s_hasher.VerifyHashedPassword(user, reader.GetString(1), password) == PasswordVerificationResult.Failed ? null : user;
    }

    /// <summary>The user owning a live (not revoked) <paramref name="token"/>, else null.</summary>
    public WebUser? FindByToken(string token)
    {
        using var connection = Warehouse.Open(home, readOnly: true);
        using var command = connection.CreateCommand();
        command.CommandText = """
            SELECT u.user_name, u.role FROM meta.api_token t JOIN meta.app_user u ON u.user_name = t.user_name
            WHERE t.token_sha256 = $1 AND t.revoked_at IS NULL
            """;
        command.Parameters.Add(new DuckDBParameter(Sha256(token)));
        using var reader = command.ExecuteReader();
        return reader.Read() ? new WebUser(reader.GetString(0), reader.GetString(1)) : null;
    }

    /// <summary>The lowercase hex SHA-256 of a token.</summary>
    public static string Sha256(string token) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(token)));

    private static WebUser? Find(DuckDBConnection connection, string name)
    {
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT user_name, role FROM meta.app_user WHERE user_name = $1";
        command.Parameters.Add(new DuckDBParameter(name));
        using var reader = command.ExecuteReader();
        return reader.Read() ? new WebUser(reader.GetString(0), reader.GetString(1)) : null;
    }

    private static string ValidateName(string name) =>
        name is not null && NamePattern().IsMatch(name)
            ? name
            : throw new UsageException($"User name '{name}' is not valid: use 1-40 lowercase letters, digits, '.', '_' or '-'.");

    private DateTime Now() => time.GetUtcNow().UtcDateTime;

    [GeneratedRegex("^[a-z0-9._-]{1,40}$")]
    private static partial Regex NamePattern();
}
