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
        ["pair"] = ("Par", "Pair"),
        ["see_pair"] = ("Ver los dos registros y el puntaje desglosado", "See both records and the score broken down"),
        ["back_to_queue"] = ("← Volver a la cola de revisión", "← Back to the review queue"),
        ["link_hotline_police"] = ("Llamada a la línea → denuncia policial", "Hotline call → police report"),
        ["link_police_prosecution"] = ("Denuncia policial → caso fiscal", "Police report → prosecution case"),
        ["pair_status"] = ("Estado", "Status"),
        ["pair_status_review"] = ("por revisar", "to review"),
        ["pair_status_linked"] = ("vinculado", "linked"),
        ["pair_status_rejected"] = ("rechazado", "rejected"),
        ["pair_decided_by"] = ("decidido por", "decided by"),
        ["records"] = ("Los dos registros", "The two records"),
        ["record_hotline_call"] = ("Llamada a la línea", "Hotline call"),
        ["record_police_report"] = ("Denuncia policial", "Police report"),
        ["record_prosecution_case"] = ("Caso fiscal", "Prosecution case"),
        ["item_record_id"] = ("Identificador", "Id"),
        ["item_date"] = ("Fecha", "Date"),
        ["item_place"] = ("Lugar (departamento / provincia / distrito)", "Place (department / province / district)"),
        ["item_unit"] = ("Unidad (comisaría o fiscalía)", "Unit (police station or prosecutor's office)"),
        ["item_persons"] = ("Personas (seudónimos, grupo de edad, sexo)", "Persons (pseudonyms, age band, sex)"),
        ["item_offence"] = ("Delito o categoría", "Offence or category"),
        ["item_cites"] = ("Referencia citada", "Cited reference"),
        ["breakdown"] = ("Puntaje desglosado por comparación", "Score broken down by comparison"),
        ["pair_comparison"] = ("Comparación", "Comparison"),
        ["pair_level"] = ("Nivel de acuerdo", "Agreement level"),
        ["pair_weight"] = ("Peso (log2 m/u)", "Weight (log2 m/u)"),
        ["pair_missing"] = ("falta un valor", "a value is missing"),
        ["pair_weight_sum"] = ("Suma de los pesos", "Sum of the weights"),
        ["pair_score"] = ("Puntaje guardado", "Stored score"),
        ["check_sum"] = ("Los pesos suman el puntaje guardado.", "The weights sum to the stored score."),
        ["check_model_changed"] = ("El modelo cambió después de puntuar este par: la suma de hoy no es el puntaje guardado; la próxima vinculación lo vuelve a puntuar.", "The model changed after this pair was scored: today's sum is not the stored score; the next linkage run re-scores it."),
        ["field_report_number"] = ("Número de denuncia citado", "Cited report number"),
        ["field_dni"] = ("DNI (seudónimo)", "DNI (pseudonym)"),
        ["field_name"] = ("Nombre (seudónimo fonético)", "Name (phonetic pseudonym)"),
        ["field_age"] = ("Edad", "Age"),
        ["field_sex"] = ("Sexo", "Sex"),
        ["field_date"] = ("Fecha", "Date"),
        ["field_place"] = ("Lugar", "Place"),
        ["field_police_unit"] = ("Comisaría derivada", "Referred police station"),
        ["field_tip_call"] = ("Llamada TdP según operador", "TIP call by operator"),
        ["field_competition"] = ("Competencia (otros candidatos)", "Competition (other candidates)"),
        ["field_log2_prior_odds"] = ("Probabilidad previa (log2 de las odds)", "Prior (log2 odds)"),
        ["field_crime_type"] = ("Tipo de delito", "Crime type"),
        ["reject"] = ("Rechazar", "Reject"),
        ["forbidden"] = ("Acceso denegado: su rol no permite esta página.", "Forbidden: your role may not see this page."),
        ["user"] = ("Usuario", "User"),
        ["language"] = ("English", "Español"),
        ["evaluation"] = ("Evaluación de estrategias", "Strategy evaluation"),
        ["training-effect"] = ("Efecto de la capacitación policial", "Police training effect"),
        ["law-effect"] = ("Efecto de la Ley 28950", "Law 28950 effect"),
        ["training-effect_intro"] = ("Diferencias en diferencias por cohorte de direcciones capacitadas y estimación agrupada (efectos fijos), con intervalos de confianza al 95 %.", "Difference-in-differences per cohort of trained directorates and the pooled (fixed effects) estimate, with 95% confidence intervals."),
        ["law-effect_intro"] = ("Serie temporal interrumpida (regresión segmentada): cambio de nivel y de tendencia en enero de 2007, con intervalos de confianza al 95 %.", "Interrupted time series (segmented regression): level and trend change in January 2007, with 95% confidence intervals."),
        ["training_kpi"] = ("Indicador (capacitación)", "KPI (training)"),
        ["law_kpi"] = ("Indicador (ley)", "KPI (law)"),
        ["assumptions"] = ("Método y supuestos", "Method and assumptions"),
        ["no_interval"] = ("sin intervalo", "no interval"),
        ["operations"] = ("Operaciones", "Operations"),
        ["pipelines"] = ("Pipelines: última ejecución, estado y programación", "Pipelines: last run, status and schedule"),
        ["freshness"] = ("Actualidad de las fuentes", "Source freshness"),
        ["failed_tests"] = ("Pruebas de datos fallidas", "Failed data tests"),
        ["no_failed_tests"] = ("Ninguna prueba de datos falló en las últimas ejecuciones.", "No data test failed in the latest runs."),
        ["run_history"] = ("Historial de ejecuciones (últimas 50)", "Run history (last 50)"),
        ["quarantine"] = ("Cuarentena (filas rechazadas, texto enmascarado)", "Quarantine (rejected rows, masked text)"),
        ["empty_quarantine"] = ("La cuarentena está vacía.", "The quarantine is empty."),
        ["trigger"] = ("Ejecutar ahora", "Run now"),
        ["pause"] = ("Pausar", "Pause"),
        ["resume"] = ("Reanudar", "Resume"),
        ["admin"] = ("Administración", "Administration"),
        ["users"] = ("Usuarios", "Users"),
        ["user_name"] = ("Usuario", "User"),
        ["role"] = ("Rol", "Role"),
        ["created_at"] = ("Creado", "Created"),
        ["active_tokens"] = ("Tokens activos", "Live tokens"),
        ["password"] = ("Contraseña", "Password"),
        ["add_user"] = ("Agregar usuario", "Add a user"),
        ["add"] = ("Agregar", "Add"),
        ["remove"] = ("Eliminar", "Remove"),
        ["audit"] = ("Registro de auditoría (últimos 200)", "Audit log (last 200)"),
        ["console"] = ("Consola SQL", "SQL console"),
        ["console_intro"] = ("Una consulta de solo lectura sobre la instantánea del almacén", "One read-only query on the warehouse snapshot"),
        ["rows_max"] = ("filas como máximo", "rows at most"),
        ["run_query"] = ("Ejecutar consulta", "Run query"),
        ["rows"] = ("filas", "rows"),
        ["truncated"] = ("resultado cortado en el límite de filas", "result cut at the row limit"),
        ["stage_call"] = ("Llamada", "Call"),
        ["stage_report"] = ("Denuncia", "Police report"),
        ["stage_prosecution"] = ("Fiscalía", "Prosecution"),
        ["stage_charge"] = ("Acusación", "Charge"),
        ["stage_trial"] = ("Juicio", "Trial"),
        ["stage_conviction"] = ("Condena", "Conviction"),
        ["stage_prison"] = ("Prisión", "Prison"),
        ["directorate"] = ("Dirección territorial PNP", "PNP directorate"),
        ["referred_calls"] = ("Llamadas derivadas", "Referred calls"),
        ["share_referred"] = ("Proporción derivada", "Share referred"),
        ["median_hours_to_referral"] = ("Mediana de horas hasta la derivación", "Median hours to referral"),
        ["referred_became_report"] = ("Derivadas que llegaron a denuncia", "Referred that became a report"),
        ["share_referred_became_report"] = ("Proporción de derivadas con denuncia", "Share of referred with a report"),
        ["stage"] = ("Etapa", "Stage"),
        ["cases"] = ("Casos", "Cases"),
        ["call_review"] = ("Llamadas marcadas", "Flagged calls"),
        ["call_review_intro"] = ("Llamadas que el modelo marcó como posible trata y que ningún supervisor revisó aún, las más recientes primero. Su decisión será la etiqueta de la llamada en el próximo entrenamiento del modelo. Palabras resaltadas según su peso en la puntuación:", "Calls the model flagged as possible trafficking that no supervisor has reviewed yet, newest first. Your decision becomes the call's label in the next model training. Words highlighted by their weight in the score:"),
        ["towards_tip"] = ("hacia trata", "towards TIP"),
        ["away_from_tip"] = ("en contra", "away from TIP"),
        ["flagged_calls"] = ("Llamadas por revisar", "Calls to review"),
        ["probability"] = ("Probabilidad", "Probability"),
        ["operator_category"] = ("Categoría del operador", "Operator category"),
        ["top_words"] = ("Palabras con más peso", "Strongest words"),
        ["call_confirm"] = ("Confirmar trata", "Confirm TIP"),
        ["call_reject"] = ("No es trata", "Not TIP"),
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
