using System.Globalization;
using Microsoft.AspNetCore.Http;

namespace TipWarehouse.Web;

/// <summary>The pages' language: Spanish (es-PE) by default, English (en) by the toggle (<c>?lang=en</c>, kept in a cookie); labels and number formats.</summary>
public sealed class PageText
{
    private const string CookieName = "tipw.lang";

    private static readonly Dictionary<string, (string Es, string En)> s_labels = new()
    {
        ["dashboard"] = ("Panel", "Dashboard"),
        ["published"] = ("Cifras publicadas", "Published figures"),
        ["review"] = ("Revisión", "Review"),
        ["signin"] = ("Iniciar sesión", "Sign in"),
        ["signout"] = ("Cerrar sesión", "Sign out"),
        ["monthly"] = ("Serie mensual nacional", "Monthly national series"),
        ["calls"] = ("Llamadas a la línea", "Hotline calls"),
        ["justice"] = ("Policía y fiscalía (TdP)", "Police and prosecution (TIP)"),
        ["hotline_calls"] = ("Llamadas", "Calls"),
        ["calls_tip_by_operator"] = ("TdP según operador", "TIP by operator"),
        ["calls_tip_by_model"] = ("TdP según modelo", "TIP by model"),
        ["tip_police_reports"] = ("Denuncias TdP", "TIP police reports"),
        ["tip_arrests"] = ("Detenciones TdP", "TIP arrests"),
        ["cases_sent_to_prosecution"] = ("Casos a fiscalía", "Cases to prosecution"),
        ["convictions"] = ("Condenas", "Convictions"),
        ["hotline_opening"] = ("Apertura de la línea (13-03-2006)", "Hotline opens (2006-03-13)"),
        ["law"] = ("Ley 28950 (ene. 2007)", "Law 28950 (Jan 2007)"),
        ["funnel"] = ("Embudo de casos TdP", "TIP case funnel"),
        ["map"] = ("Mapa por departamento", "Map by department"),
        ["referrals"] = ("Derivaciones", "Referrals"),
        ["from"] = ("Desde", "From"),
        ["to"] = ("Hasta", "To"),
        ["apply"] = ("Aplicar", "Apply"),
        ["csv"] = ("Datos (CSV)", "Data (CSV)"),
        ["parquet"] = ("Datos (Parquet)", "Data (Parquet)"),
        ["tip_calls"] = ("Llamadas TdP", "TIP calls"),
        ["tip_reports"] = ("Denuncias TdP", "TIP reports"),
        ["tip_cases"] = ("Casos TdP", "TIP cases"),
        ["tip_share_of_calls"] = ("Llamadas TdP por 100 llamadas", "TIP calls per 100 calls"),
        ["reports_per_100_tip_calls"] = ("Denuncias por 100 llamadas TdP", "Reports per 100 TIP calls"),
        ["metric"] = ("Indicador", "Indicator"),
        ["suppressed"] = ("suprimido (control de divulgación)", "suppressed (disclosure control)"),
        ["published_intro"] = ("Cifras con control de divulgación: las celdas marcadas con x se suprimen.", "Disclosure-controlled figures: cells marked x are suppressed."),
        ["queue"] = ("Pares por revisar", "Pairs to review"),
        ["accept"] = ("Aceptar", "Accept"),
        ["reject"] = ("Rechazar", "Reject"),
        ["forbidden"] = ("Acceso denegado: su rol no permite esta página.", "Forbidden: your role may not see this page."),
        ["user"] = ("Usuario", "User"),
        ["language"] = ("English", "Español"),
        ["stage"] = ("Etapa", "Stage"),
        ["cases"] = ("Casos", "Cases"),
    };

    private PageText(bool english) => English = english;

    /// <summary>True for English.</summary>
    public bool English { get; }

    /// <summary>The language code of the page.</summary>
    public string Code => English ? "en" : "es";

    /// <summary>The culture of numbers and dates: es-PE or en-US.</summary>
    public CultureInfo Culture => CultureInfo.GetCultureInfo(English ? "en-US" : "es-PE");

    /// <summary>The language of a request: <c>?lang=</c> (remembered in a cookie), else the cookie, else Spanish.</summary>
    public static PageText For(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var asked = context.Request.Query["lang"].ToString();
        if (asked is "en" or "es")
        {
            context.Response.Cookies.Append(CookieName, asked, new CookieOptions { HttpOnly = true, SameSite = SameSiteMode.Strict, IsEssential = true });
            return new PageText(asked == "en");
        }

        return new PageText(context.Request.Cookies[CookieName] == "en");
    }

    /// <summary>The label of <paramref name="key"/> (the key itself when there is none).</summary>
    public string this[string key] => s_labels.TryGetValue(key, out var label) ? (English ? label.En : label.Es) : key;

    /// <summary>A whole number in the page's culture.</summary>
    public string Whole(double value) => value.ToString("N0", Culture);

    /// <summary>A number with up to <paramref name="decimals"/> decimals in the page's culture.</summary>
    public string Number(double value, int decimals = 2) => value.ToString("#,##0." + new string('#', decimals), Culture);
}
