using System.Text.Json;
using Microsoft.AspNetCore.Http;

namespace TipWarehouse.Web;

/// <summary>Writes API errors as <c>{"error": MESSAGE}</c> JSON with a status code.</summary>
public static class WebErrors
{
    /// <summary>Writes the error response.</summary>
    public static Task WriteAsync(HttpContext context, int status, string message)
    {
        ArgumentNullException.ThrowIfNull(context);
        context.Response.StatusCode = status;
        context.Response.ContentType = "application/json; charset=utf-8";
        return context.Response.WriteAsync(JsonSerializer.Serialize(new Dictionary<string, string> { ["error"] = message }));
    }

    /// <summary>The error as an endpoint result.</summary>
    public static IResult Result(int status, string message) =>
        Results.Json(new Dictionary<string, string> { ["error"] = message }, statusCode: status);
}
