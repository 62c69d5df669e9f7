using System.Net;
using System.Security.Claims;
using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace TipWarehouse.Web;

/// <summary>Cookie sign-in for the pages: a form with an anti-forgery token, checked against <c>meta.app_user</c>, audited.</summary>
internal static class SignInEndpoints
{
    public static void Map(WebApplication app)
    {
        app.MapGet("/signin", (HttpContext ctx, IAntiforgery antiforgery) => Form(ctx, antiforgery, null));

        app.MapPost("/signin", async (HttpContext ctx, IAntiforgery antiforgery, UserStore users, AuditLog audit) =>
        {
            try
            {
                await antiforgery.ValidateRequestAsync(ctx);
            }
            catch (AntiforgeryValidationException)
            {
                return WebErrors.Result(StatusCodes.Status400BadRequest, "The anti-forgery token is missing or invalid; reload the sign-in page.");
            }

            var form = await ctx.Request.ReadFormAsync();
            var name = form["name"].ToString();
            var user = users.VerifyPassword(name, form["password"].ToString());
            if (user is null)
            {
                audit.Record(name.Length > 40 ? name[..40] : name, WebRoles.Public, AuditLog.SignIn, new Dictionary<string, string?> { ["method"] = "password" }, "denied");
                ctx.Response.StatusCode = StatusCodes.Status401Unauthorized;
                return Form(ctx, antiforgery, "Usuario o contraseña incorrectos. / Wrong user name or password.");
            }

            var identity = new ClaimsIdentity([new Claim(ClaimTypes.Name, user.Name), new Claim(ClaimTypes.Role, user.Role)], CookieAuthenticationDefaults.AuthenticationScheme);
            await ctx.SignInAsync(CookieAuthenticationDefaults.AuthenticationScheme, new ClaimsPrincipal(identity));
            audit.Record(user.Name, user.Role, AuditLog.SignIn, new Dictionary<string, string?> { ["method"] = "password" });
            var returnUrl = form["returnUrl"].ToString();
            return Results.Redirect(returnUrl.StartsWith('/') && !returnUrl.StartsWith("//", StringComparison.Ordinal) ? returnUrl : HomeOf(user.Role));
        });

        app.MapPost("/signout", async (HttpContext ctx) =>
        {
            await ctx.SignOutAsync(CookieAuthenticationDefaults.AuthenticationScheme);
            return Results.Redirect("/");
        });
    }

    /// <summary>The first page of a role: the dashboard for report readers, the queue for reviewers, else the published figures.</summary>
    private static string HomeOf(string role) =>
        WebRoles.Reports.Contains(role) ? "/" : WebRoles.Review.Contains(role) ? "/revision" : "/publicado";

    private static IResult Form(HttpContext ctx, IAntiforgery antiforgery, string? error)
    {
        var tokens = antiforgery.GetAndStoreTokens(ctx);
        var returnUrl = WebUtility.HtmlEncode(ctx.Request.Query["ReturnUrl"].ToString());
        var message = error is null ? string.Empty : $"<p role=\"alert\">{WebUtility.HtmlEncode(error)}</p>";
        var body = $"""
            {message}
            <form method="post" action="/signin">
              <input type="hidden" name="{tokens.FormFieldName}" value="{tokens.RequestToken}">
              <input type="hidden" name="returnUrl" value="{returnUrl}">
              <label>Usuario <input name="name" autocomplete="username" required></label>
              <label>Contraseña <input name="password" type="password" autocomplete="current-password" required></label>
              <button type="submit">Iniciar sesión</button>
            </form>
            """;
        return Results.Content(Page("Iniciar sesión — TipWarehouse", body), "text/html; charset=utf-8", statusCode: ctx.Response.StatusCode);
    }

    private static string Page(string title, string body) => $"""
        <!DOCTYPE html>
        <html lang="es"><head><meta charset="utf-8"><title>{WebUtility.HtmlEncode(title)}</title></head>
        <body><h1>{WebUtility.HtmlEncode(title)}</h1>{body}</body></html>
        """;
}
