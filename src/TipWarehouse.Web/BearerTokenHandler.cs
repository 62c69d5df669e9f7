using System.Security.Claims;
using System.Security.Cryptography;
using System.Text;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace TipWarehouse.Web;

/// <summary>Authenticates <c>Authorization: Bearer TOKEN</c>: a user's live token from <c>tipw users token</c>, or the local owner token of <c>serve.json</c>.</summary>
public sealed class BearerTokenHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options,
    ILoggerFactory logger,
    UrlEncoder encoder,
    UserStore users,
    ServeInfo serveInfo)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    /// <summary>The scheme name.</summary>
    public const string SchemeName = "Bearer";

    /// <summary>The user name the local owner token signs in as.</summary>
    public const string LocalOwnerName = "local";

    /// <inheritdoc />
    protected override Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        var header = Request.Headers.Authorization.ToString();
        if (!header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
        {
            return Task.FromResult(AuthenticateResult.NoResult());
        }

        var token = header["Bearer ".Length..].Trim();
        if (CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(token), Encoding.UTF8.GetBytes(serveInfo.Token)))
        {
            return Task.FromResult(Success(new WebUser(LocalOwnerName, WebRoles.Admin), localOwner: true));
        }

        return Task.FromResult(users.FindByToken(token) is { } user
            ? Success(user, localOwner: false)
            : AuthenticateResult.Fail("The bearer token is unknown or revoked."));
    }

    /// <inheritdoc />
    protected override Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        Response.Headers.WWWAuthenticate = "Bearer";
        return WebErrors.WriteAsync(Context, StatusCodes.Status401Unauthorized, "Sign in or send 'Authorization: Bearer TOKEN' (see 'tipw users token').");
    }

    /// <inheritdoc />
    protected override Task HandleForbiddenAsync(AuthenticationProperties properties) =>
        WebErrors.WriteAsync(Context, StatusCodes.Status403Forbidden, $"The role '{Context.User.FindFirstValue(ClaimTypes.Role)}' may not do this.");

    private static AuthenticateResult Success(WebUser user, bool localOwner)
    {
        var claims = new List<Claim> { new(ClaimTypes.Name, user.Name), new(ClaimTypes.Role, user.Role) };
        if (localOwner)
        {
            claims.Add(new Claim(WebRoles.LocalOwnerClaim, "true"));
        }

        var principal = new ClaimsPrincipal(new ClaimsIdentity(claims, SchemeName));
        return AuthenticateResult.Success(new AuthenticationTicket(principal, SchemeName));
    }
}
