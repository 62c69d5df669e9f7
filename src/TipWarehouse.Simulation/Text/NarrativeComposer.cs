using System.Globalization;
using System.Text;
using TipWarehouse.Simulation.Reference;

namespace TipWarehouse.Simulation.Text;

/// <summary>
/// Builds hotline narratives ("relato") in Peruvian Spanish from parts: who calls, who the victim is,
/// how they were recruited, where, the control indicators (CTDC categories) in many phrasings, negations,
/// hard negatives that share the vocabulary, and the operator's own habits. No single word decides the label.
/// </summary>
internal static class NarrativeComposer
{
    private static readonly CultureInfo s_es = CultureInfo.InvariantCulture;

    // ---- places -------------------------------------------------------------------------------------------------
    private static readonly string[] s_miningTowns = ["Huepetuhe", "Mazuko", "Delta 1", "Laberinto", "Boca Colorado", "La Rinconada", "Ananea", "Puerto Maldonado", "Lunar de Oro", "Cerro Lunar", "Guacamayo", "Tres Islas"];
    private static readonly string[] s_nightTowns = ["Puerto Maldonado", "Juliaca", "Iquitos", "Pucallpa", "Tingo María", "Cusco", "Quillabamba", "Tarapoto", "Chiclayo", "Trujillo", "Piura", "Tumbes", "Yurimaguas", "Lima", "La Oroya", "Huancayo"];
    private static readonly string[] s_loggingPlaces = ["el río Las Piedras", "el río Tahuamanu", "Atalaya", "el Purús", "el río Ucayali", "Iñapari", "el río Napo", "Contamana", "Sepahua"];
    private static readonly string[] s_farmPlaces = ["un fundo en Ica", "una chacra de café en Satipo", "una chacra en la selva de Pichanaki", "un fundo de espárragos en Chincha", "una chacra de cacao en Tocache", "una parcela en el valle del VRAE", "un fundo en Villa Rica"];
    private static readonly string[] s_cities = ["Lima", "Arequipa", "Cusco", "Trujillo", "Chiclayo", "Huancayo", "Lima", "Lima", "el Callao", "Ica", "Tacna"];
    private static readonly string[] s_origins = ["una comunidad de Huancavelica", "Ayacucho", "Andahuaylas", "un caserío de Cajamarca", "Puno", "una comunidad de Apurímac", "la sierra de Piura", "Huánuco", "Abancay", "la selva", "Quispicanchi", "Chumbivilcas", "Yauyos", "Bolivia", "Pasco"];
    private static readonly string[] s_begPlaces = ["el mercado central", "los semáforos de la avenida", "la Plaza de Armas", "el terminal terrestre", "los buses", "la puerta de la iglesia", "el óvalo"];
    private static readonly string[] s_venues = ["un bar", "un night club", "una cantina", "un prostíbulo", "un video pub", "una discoteca", "un karaoke", "un local nocturno", "un chongo", "un bar-restaurante", "una cevichería que de noche funciona como bar", "un hostal"];
    private static readonly string[] s_venueNames = ["El Dorado", "La Chocita", "Las Palmeras", "El Minero", "La Posada del Sol", "Tentación", "El Rincón Cusqueño", "La Cabaña", "Las Vegas", "Mi Pueblito", "El Paraíso", "Kimbara"];
    private static readonly string[] s_jobs = ["moza", "mesera", "ayudante de cocina", "niñera", "vendedora en una tienda", "cocinera", "anfitriona", "trabajadora del hogar", "atender en un restaurante", "cajera", "lavar platos en un restaurante", "ayudante en una pollería"];
    private static readonly string[] s_maleJobs = ["ayudante en una mina", "cargador", "peón", "ayudante de construcción", "trabajar en un aserradero", "cosechar café", "motorista", "ayudante de cocina en un campamento"];

    // ---- indicators (CTDC means of control), several phrasings each ------------------------------------------------
    private static readonly string[][] s_indicators =
    [
        // debt bondage
        ["le dicen que debe {m} soles del pasaje y la comida y que no puede irse hasta pagar", "tiene una deuda que nunca termina de pagar", "le descuentan todo por el cuarto, la comida y el pasaje", "cada mes la deuda es más grande", "el dueño le cobra multas por todo y siempre sale debiendo", "le adelantaron {m} soles y ahora dicen que tiene que trabajar para devolverlos", "le dijeron que primero tiene que pagar lo que costó traer{la}", "está endeudad{a} con el enganchador"],
        // takes earnings
        ["no le pagan nada, el patrón se queda con todo", "no ha recibido sueldo desde que llegó", "le quitan lo que gana", "le prometieron {m} soles al mes y no le dan nada", "solo le pagan con propinas", "el dinero se lo dan a la persona que {la} llevó", "le dicen que le pagan al final de la temporada pero nunca le pagan", "nunca ve su plata"],
        // threats
        ["{la} amenazan con hacerle daño a su familia", "le han dicho que si se escapa {la} van a buscar", "el patrón {la} amenaza con matar{la} si habla", "{la} amenazan con mandar{la} a otro sitio peor", "le dicen que saben dónde vive su mamá", "tiene miedo porque {la} amenazaron", "le dijeron que si cuenta algo le va a ir mal"],
        // physical, sexual or psychological abuse
        ["{la} golpean cuando no quiere trabajar", "el patrón {la} maltrata", "fue abusad{a} por el dueño", "{la} insultan y {la} castigan sin comer", "tiene moretones en los brazos", "{la} maltratan física y psicológicamente", "le pegan con correa"],
        // restricts movement
        ["no {la} dejan salir de {lugar}", "{la} tienen encerrad{a}", "duerme en {lugar} con candado", "solo sale acompañad{a} por el encargado", "{la} vigilan todo el tiempo", "no le permiten salir de {lugar}", "{la} encierran en un cuarto en la noche", "no {la} dejan ir a su casa", "está retenid{a} en {lugar}"],
        // withholds documents
        ["le quitaron su DNI", "el patrón tiene su DNI y su partida de nacimiento", "le retuvieron sus documentos", "no tiene sus documentos porque se los guardó la patrona", "le quitaron el DNI apenas llegó", "sus papeles los tiene el encargado"],
        // excessive hours
        ["trabaja desde las 5 de la mañana hasta la medianoche", "trabaja todos los días sin descanso", "trabaja más de 14 horas diarias", "no tiene ni un día libre", "{la} hacen trabajar hasta la madrugada", "trabaja de sol a sol"],
        // psychoactive substances
        ["{la} obligan a tomar con {clientes}", "le dan alcohol para que aguante", "le hacen consumir droga", "tiene que tomar cerveza con {clientes}", "le dan trago y coca para que siga trabajando"],
        // threat of law enforcement
        ["le dicen que si va a la policía {la} van a meter pres{a}", "{la} asustan diciendo que la policía {la} va a detener por no tener papeles", "el dueño dice que tiene amigos en la comisaría"],
        // isolation
        ["le quitaron el celular", "no {la} dejan llamar a su familia", "desde hace {n} meses no se comunica con nadie", "solo pudo llamar a escondidas", "la familia no sabe exactamente dónde está"],
    ];

    private static readonly int[] s_negatableGroups = [0, 1, 2, 9];
    private static readonly string[] s_femaleLeads = ["refiere que ", "indica que ", "dice que ", "cuenta que ", ""];
    private static readonly string[] s_maleLeads = ["refiere que ", "indica que ", "dice que ", ""];
    private static readonly string[] s_selfReveal = ["cree que es un caso de trata", "piensa que la están explotando", "dice que es trata de personas", "no sabe si esto es trata", "escuchó en la radio sobre la línea y por eso llama"];
    private static readonly string[] s_requests = ["Solicita que la policía intervenga", "Pide ayuda para rescatarla", "Pide que vayan al local", "Quiere denunciar", "Pide que alguien la saque de ahí", "Tiene miedo de denunciar", "Solicita apoyo urgente", "Pide que no se dé su nombre", "Quiere saber qué hacer"];
    private static readonly string[] s_operatorActions = ["Se deriva a la comisaría más cercana", "Se comunica con la comisaría del sector", "Se orienta a la llamante para que ponga la denuncia", "Se toma nota y se deriva", "Se informa a la PNP", "Se le da el número de la fiscalía", "Se registra y se deriva a la comisaría", ""];

    /// <summary>Composes one narrative; <paramref name="victim"/> may be null (anonymous or unknown victim).</summary>
    public static string Compose(Rng rng, CallKind kind, string callerType, WorldPerson? victim, UbigeoDistrict district, OperatorStyle style)
    {
        var text = kind switch
        {
            CallKind.TipSexual => Tip(rng, kind, callerType, victim, district, style),
            CallKind.TipMining or CallKind.TipLogging or CallKind.TipAgriculture or CallKind.TipDomestic or CallKind.TipBegging => Tip(rng, kind, callerType, victim, district, style),
            CallKind.Information => Information(rng),
            CallKind.Silent => Silent(rng),
            CallKind.Prank => Prank(rng),
            CallKind.DomesticViolence => DomesticViolence(rng, callerType, victim),
            CallKind.UnpaidWages => UnpaidWages(rng, callerType, victim),
            CallKind.JobFraud => JobFraud(rng, callerType, victim),
            CallKind.RunawayTeen => RunawayTeen(rng, victim),
            CallKind.SexualAssault => SexualAssault(rng, callerType, victim),
            CallKind.MissingPerson => MissingPerson(rng, victim),
            CallKind.MinorWorkingWithConsent => MinorWorking(rng, victim, district),
            _ => OtherCrime(rng, district),
        };
        text = text.Replace(';', ',').Replace(" de el ", " del ", StringComparison.Ordinal).Replace(" a el ", " al ", StringComparison.Ordinal).Replace("  ", " ", StringComparison.Ordinal);
        return TextNoise.Apply(rng, text, style);
    }

    // ---- TIP ----------------------------------------------------------------------------------------------------------
    private static string Tip(Rng rng, CallKind kind, string callerType, WorldPerson? victim, UbigeoDistrict district, OperatorStyle style)
    {
        var female = victim?.Sex != 'M';
        var age = victim?.Age ?? rng.Between(13, 24);
        var terse = rng.Chance(style.Brevity);
        var place = Place(rng, kind, district);
        if (terse)
        {
            return TerseTip(rng, kind, female, age, place);
        }

        if (rng.Chance(0.12))
        {
            return VagueTip(rng, kind, female, age, place);
        }

        if (callerType is "VICTIMA" or "FAMILIAR" && rng.Chance(0.25))
        {
            return QuotedTip(rng, kind, callerType, female, age, place);
        }

        var sentences = new List<string>();
        var who = VictimPhrase(rng, callerType, victim, female, age);
        sentences.Add(Opener(rng, callerType) + " " + who + " " + Situation(rng, kind, female, place));
        if (rng.Chance(0.7))
        {
            sentences.Add(Recruitment(rng, kind, female, place));
        }

        var indicatorCount = rng.PickWeighted([0.12, 0.38, 0.32, 0.18]) + 1;
        int[] groups = kind is CallKind.TipDomestic or CallKind.TipBegging ? [0, 1, 2, 3, 4, 5, 6, 8, 9] : [.. Enumerable.Range(0, s_indicators.Length)];
        var preferred = kind switch
        {
            CallKind.TipSexual => new[] { 0, 1, 4, 5, 7, 2 },
            CallKind.TipDomestic => [1, 6, 4, 5, 3, 9],
            CallKind.TipBegging => [1, 3, 2, 6, 4],
            _ => [0, 1, 6, 4, 2, 5, 8],
        };
        var chosen = new List<int>();
        while (chosen.Count < indicatorCount)
        {
            var g = rng.Chance(0.75) ? rng.Pick(preferred) : rng.Pick(groups);
            if (!chosen.Contains(g))
            {
                chosen.Add(g);
            }
        }

        var venue = kind switch
        {
            CallKind.TipSexual => rng.Pick(["el local", "el bar", "ese sitio", "el night"]),
            CallKind.TipMining or CallKind.TipLogging => rng.Pick(["el campamento", "la zona", "ese sitio"]),
            CallKind.TipAgriculture => rng.Pick(["el fundo", "la chacra"]),
            CallKind.TipDomestic => rng.Pick(["la casa", "la vivienda"]),
            _ => rng.Pick(["el cuarto donde viven", "la casa del señor"]),
        };
        var clients = kind == CallKind.TipSexual ? rng.Pick(["los clientes", "los mineros", "los parroquianos"]) : "los trabajadores";
        var indicatorTexts = chosen.Select(g => Fill(rng, rng.Pick(s_indicators[g]), female, venue, clients)).ToList();
        if (rng.Chance(0.15))
        {
            // A partial negation: one means of control absent, others present.
            indicatorTexts.Add(Fill(rng, rng.Pick(["no {la} golpean pero", "no le han quitado el DNI pero", "dice que le dan de comer pero", "no está encerrad{a} pero", "no {la} tienen amarrad{a} pero"]), female) + " " + Fill(rng, rng.Pick(s_indicators[rng.Pick(s_negatableGroups)]), female, venue, clients));
        }

        sentences.Add(Capitalize(Pronoun(rng, female)) + JoinClauses(rng, indicatorTexts));
        if (rng.Chance(0.35))
        {
            sentences.Add(Capitalize(rng.Pick(["hace {n} meses que está allí", "ya lleva {n} meses en ese lugar", "viajó hace {n} semanas", "desde {mes} está en esa situación", "la última vez que habló con la familia fue hace {n} semanas"]).Replace("{n}", rng.Between(1, 8).ToString(s_es), StringComparison.Ordinal).Replace("{mes}", rng.Pick(["enero", "marzo", "mayo", "julio", "setiembre", "noviembre", "fin de año"]), StringComparison.Ordinal)));
        }

        if (rng.Chance(0.2))
        {
            sentences.Add("La llamante " + rng.Pick(s_selfReveal));
        }

        if (callerType == "INSTITUCION" && rng.Chance(0.5))
        {
            sentences.Add(rng.Pick(["Se trataría de un presunto caso de trata de personas con fines de ", "Presunta trata con fines de ", "Posible caso de "]) + kind switch
            {
                CallKind.TipSexual => rng.Pick(["explotación sexual", "explotación sexual comercial infantil", "prostitución forzada"]),
                CallKind.TipDomestic => "servidumbre doméstica",
                CallKind.TipBegging => "mendicidad",
                _ => rng.Pick(["explotación laboral", "trabajo forzoso"]),
            });
        }

        if (rng.Chance(0.25) && kind == CallKind.TipSexual)
        {
            sentences.Add(rng.Pick(["En el mismo local hay otras chicas menores de edad", "Hay más chicas de la sierra en el mismo lugar", "Dice que hay otras menores trabajando ahí", "Los clientes son mineros"]));
        }

        if (rng.Chance(0.6))
        {
            sentences.Add(rng.Pick(s_requests));
        }

        if (rng.Chance(0.5))
        {
            sentences.Add(rng.Pick(s_operatorActions));
        }

        return string.Join(". ", sentences.Where(s => s.Length > 0)) + ".";
    }

    private static readonly string[] s_firstPersonIndicators =
    [
        "no me pagan nada", "me dicen que debo {m} soles y que no puedo irme hasta pagar", "me quitaron mi DNI", "no me dejan salir",
        "me tienen encerrad{a}", "me amenazan con hacerle daño a mi familia", "me pegan cuando no quiero", "trabajo todo el día sin descanso",
        "me hacen tomar con {clientes}", "dicen que si voy a la policía me van a meter pres{a}", "me quitaron el celular", "estoy llamando a escondidas",
        "la señora se queda con toda la plata", "cada vez debo más", "no sé bien dónde estoy", "el dueño guarda mis papeles", "duermo en el mismo sitio donde trabajo",
    ];

    private static readonly string[] s_relativeIndicators =
    [
        "no le pagan nada", "le dicen que debe {m} soles y que no puede irse", "le quitaron su DNI", "no {la} dejan salir", "no nos dejan hablar con {ella}",
        "{la} tienen encerrad{a}", "{la} amenazan", "llora cuando llama", "trabaja todo el día", "la última vez llamó a escondidas", "ya no contesta el celular",
        "dice que {la} hacen tomar con {clientes}", "el patrón no {la} deja regresar", "nos pidieron plata para soltar{la}",
    ];

    /// <summary>A narrative in which the operator quotes the caller (first person for victims, "mi hija..." for relatives).</summary>
    private static string QuotedTip(Rng rng, CallKind kind, string callerType, bool female, int age, string place)
    {
        var clients = kind == CallKind.TipSexual ? rng.Pick(["los clientes", "los mineros"]) : "los demás";
        var job = female ? rng.Pick(s_jobs) : rng.Pick(s_maleJobs);
        var intro = rng.Pick(["Llamante dice: \"", "Refiere textualmente: \"", "Indica: \"", "Manifiesta: \"", "Dice llorando: \""]);
        string body;
        if (callerType == "VICTIMA")
        {
            var situation = kind switch
            {
                CallKind.TipSexual => rng.Pick(["estoy trabajando en un bar en " + place + " y me obligan a estar con los clientes", "me trajeron a " + place + " diciendo que era para trabajar de " + job + " pero es un night club", "estoy en " + place + ", me hacen bailar y atender a los mineros", "me tienen en un local de " + place + " haciendo pases"]),
                CallKind.TipMining => rng.Pick(["estoy en un campamento minero en " + place + ", nos hacen trabajar en el socavón", "me trajo un enganchador a " + place + " para sacar oro", "estoy en un lavadero en " + place]),
                CallKind.TipLogging => "estoy en un campamento maderero en " + place,
                CallKind.TipAgriculture => "estoy trabajando en " + place + " en la cosecha",
                CallKind.TipDomestic => "trabajo en una casa en " + place + " desde que tenía " + rng.Between(9, 14) + " años",
                _ => "me mandan a pedir plata en la calle en " + place,
            };
            var parts = new List<string> { situation };
            var count = rng.Between(1, 3);
            for (var i = 0; i < count; i++)
            {
                parts.Add(Fill(rng, rng.Pick(s_firstPersonIndicators), female, "ese lugar", clients));
            }

            body = string.Join(rng.Pick([", ", ". ", " y "]), parts.Distinct()) + rng.Pick([", ayúdenme por favor", ", quiero regresar a mi casa", ", tengo miedo", "", ""]);
        }
        else
        {
            var subject = "mi " + Relative(rng, female, age) + (rng.Chance(0.5) ? " de " + age + " años" : "");
            var went = rng.Pick([" se fue a " + place + " a trabajar de " + job, " viajó a " + place + " porque le ofrecieron trabajo de " + job, " está en " + place]);
            var parts = new List<string> { subject + went };
            var count = rng.Between(1, 3);
            for (var i = 0; i < count; i++)
            {
                parts.Add(Fill(rng, rng.Pick(s_relativeIndicators), female, "ese lugar", clients).Replace("{ella}", female ? "ella" : "él", StringComparison.Ordinal));
            }

            body = string.Join(rng.Pick([", ", ". ", " y "]), parts.Distinct());
        }

        var tail = rng.Pick(["", " Se deriva.", " Se toman datos y se deriva a la comisaría.", " Se orienta para denunciar.", " Se coordina con la PNP."]);
        return intro + body + "\"." + tail;
    }

    /// <summary>A tip with weak cues: it reads like a missing person, a question or a neighbour's suspicion.</summary>
    private static string VagueTip(Rng rng, CallKind kind, bool female, int age, string place)
    {
        var child = female ? "hija" : "hijo";
        var text = rng.Next(6) switch
        {
            0 => rng.Pick(["Madre refiere que su ", "Sra. indica que su ", "Padre llama porque su "]) + child + " de " + age + " años viajó hace " + rng.Between(1, 6) + " meses a " + place + " con " + rng.Pick(["una señora que le ofreció trabajo", "una amiga que le consiguió chamba", "un señor que conoció en la feria", "una prima lejana"]) + " y desde entonces no se comunica",
            1 => "Llamante pregunta si es normal que en su trabajo en " + place + " le " + rng.Pick(["guarden el DNI", "descuenten el pasaje de su sueldo", "prohíban salir en su día libre", "cobren por la comida y el cuarto"]),
            2 => rng.Pick(["Vecino", "Vecina", "Mototaxista", "Llamante anónimo"]) + " informa que a una casa de " + place + " llegan de noche " + rng.Pick(["camionetas con chicas jóvenes", "chicos de la sierra", "jovencitas que no hablan con nadie"]) + " y " + rng.Pick(["nunca salen", "al día siguiente se las llevan", "hay un señor que las vigila", "no parecen de la zona"]),
            3 => "Profesora refiere que una alumna de " + age + " años dejó de ir al colegio porque " + rng.Pick(["se fue a trabajar a " + place + " con un señor que no es su familiar", "la llevaron a trabajar a " + place + " y los padres no saben dónde está exactamente"]),
            4 => "Llamante refiere que su " + (female ? "hermana" : "hermano") + " le mandó un mensaje diciendo que " + rng.Pick(["quiere regresar pero no puede", "no le dejan usar el teléfono", "le deben plata y no le dejan irse", "está bien pero habla raro, como si alguien la escuchara"]) + ". Está en " + place,
            _ => "Se comunica " + rng.Pick(["una señora", "un señor", "una joven"]) + " que no quiere dar su nombre, dice que en " + rng.Pick(s_venues) + " de " + place + " " + rng.Pick(["hay chicas muy jóvenes", "trabajan menores", "las chicas viven adentro del local"]) + " y pregunta a dónde puede avisar",
        };
        return text + ". " + rng.Pick(["Se deriva a la comisaría.", "Se toman los datos.", "Se orienta.", "Se deriva.", ""]);
    }

    private static string TerseTip(Rng rng, CallKind kind, bool female, int age, string place)
    {
        var who = age < 18 ? rng.Pick([female ? "Menor" : "Menor (varón)", "Adolescente", "Menor de edad"]) + " " + age + "a." : rng.Pick([female ? "Joven" : "Joven varón", female ? "Sra." : "Sr.", "Persona"]) + " " + age + "a.";
        var what = kind switch
        {
            CallKind.TipSexual => rng.Pick(["explotada en bar de " + place, "trabaja de dama de compañía en " + place + " contra su voluntad", "prostituida en local de " + place, "en night club de " + place + ", no la dejan salir"]),
            CallKind.TipMining => rng.Pick(["trabajando en mina de " + place + " sin pago", "retenido en campamento minero " + place, "lavadero de oro en " + place + ", deuda con enganchador"]),
            CallKind.TipLogging => rng.Pick(["campamento de tala en " + place + ", no le pagan y no puede salir", "retenido en maderera de " + place]),
            CallKind.TipAgriculture => rng.Pick(["trabaja en " + place + " por deuda, no puede irse", "en chacra " + place + " sin pago y vigilado"]),
            CallKind.TipDomestic => rng.Pick(["empleada en casa en " + place + " sin sueldo, no va al colegio", "traída de " + rng.Pick(s_origins) + " para trabajo doméstico, le quitaron DNI"]),
            _ => rng.Pick(["obligado a pedir limosna en " + place, "vende caramelos en " + place + " hasta la noche y entrega todo a un adulto"]),
        };
        return who + " " + what + ". " + rng.Pick(["Se deriva.", "Derivado a CPNP.", "Se informa a cia.", "Pide ayuda.", ""]);
    }

    private static string Situation(Rng rng, CallKind kind, bool female, string place)
    {
        var la = female ? "la" : "lo";
        return kind switch
        {
            CallKind.TipSexual => rng.Pick([
                "está trabajando en " + rng.Pick(s_venues) + " de " + place + " donde la obligan a atender a los clientes",
                "fue llevada a " + place + " y ahora trabaja en " + rng.Pick(s_venues) + " llamado " + rng.Pick(s_venueNames) + " acompañando a los clientes",
                "se encuentra en " + place + " en " + rng.Pick(s_venues) + " donde le hacen hacer pases con los clientes",
                "trabaja como dama de compañía en " + rng.Pick(s_venues) + " en " + place,
                "está en " + rng.Pick(s_venues) + " de " + place + " donde la hacen bailar y tomar con los mineros",
                "la están prostituyendo en " + place]),
            CallKind.TipMining => rng.Pick([
                "está trabajando en un campamento minero en " + place,
                "se encuentra en un lavadero de oro en " + place + " cargando sacos de material",
                "trabaja en los socavones de " + place,
                "fue llevado a " + place + " para trabajar en la extracción de oro",
                "está en " + place + " trabajando en la mina informal"]),
            CallKind.TipLogging => rng.Pick([
                "está en un campamento de tala de madera en " + place,
                "fue llevado a trabajar cortando madera en " + place,
                "trabaja para un maderero en " + place + " y no puede regresar"]),
            CallKind.TipAgriculture => rng.Pick([
                "trabaja en " + place,
                "fue llevado junto con otros jóvenes a " + place + " para la cosecha",
                "está en " + place + " trabajando de peón"]),
            CallKind.TipDomestic => rng.Pick([
                "trabaja en una casa de familia en " + place + " como empleada, " + la + " trajeron de " + rng.Pick(s_origins) + " cuando tenía " + rng.Between(9, 14) + " años",
                "vive con una familia en " + place + " que " + la + " hace hacer todas las cosas de la casa y cuidar a los niños",
                "fue traída de " + rng.Pick(s_origins) + " a " + place + " para trabajar en una casa y no " + la + " mandan al colegio"]),
            _ => rng.Pick([
                "está siendo obligad" + (female ? "a" : "o") + " a pedir limosna en " + rng.Pick(s_begPlaces) + " de " + place,
                "junto con otros niños vende caramelos en " + rng.Pick(s_begPlaces) + " en " + place + " hasta muy tarde y entregan todo el dinero a un adulto",
                "es llevad" + (female ? "a" : "o") + " todos los días a mendigar en " + rng.Pick(s_begPlaces) + " de " + place,
                "pide plata en " + rng.Pick(s_begPlaces) + " de " + place + " con una señora que dice ser su tía y que se queda con todo"]),
        };
    }

    private static string Recruitment(Rng rng, CallKind kind, bool female, string place)
    {
        var job = female ? rng.Pick(s_jobs) : rng.Pick(s_maleJobs);
        var amount = Money(rng);
        var who = rng.Pick(["una señora", "un señor", "una conocida de la familia", "un enganchador", "una prima", "una agencia de empleos", "un tío", "una mujer que llegó al pueblo", "el dueño de una combi"]);
        return Capitalize(rng.Pick([
            who + " le ofreció trabajo como " + job + " en " + place + " con un sueldo de " + amount + " soles",
            "respondió a un aviso en " + rng.Pick(["la radio", "el periódico", "un paradero", "una agencia de empleos", "el mercado"]) + " que ofrecía trabajo de " + job,
            "le prometieron que iba a estudiar y trabajar en " + place,
            "viajó con " + who + " que le pagó el pasaje prometiendo trabajo de " + job,
            (female ? "la" : "lo") + " captaron en " + rng.Pick(s_origins) + " con engaños, le dijeron que iba a trabajar de " + job,
            who + " convenció a los padres diciendo que le iba a dar trabajo y estudios",
            "le ofrecieron un buen sueldo en " + place + " pero al llegar era otra cosa",
            female ? "la llevaron de noche en bus hasta " + place + " con otras chicas" : "lo llevaron en camión hasta " + place + " con otros muchachos"]));
    }

    private static string Place(Rng rng, CallKind kind, UbigeoDistrict district)
    {
        var local = TitleCase(district.District);
        var dep = district.DepartmentCode;
        var hot = dep is "17" or "21";
        return kind switch
        {
            CallKind.TipSexual => hot && rng.Chance(0.6) ? rng.Pick(s_miningTowns) : rng.Chance(0.35) ? local : rng.Pick(s_nightTowns),
            CallKind.TipMining => hot && rng.Chance(0.5) ? local : rng.Pick(s_miningTowns),
            CallKind.TipLogging => rng.Pick(s_loggingPlaces),
            CallKind.TipAgriculture => rng.Pick(s_farmPlaces),
            CallKind.TipDomestic => rng.Chance(0.5) ? local : rng.Pick(s_cities),
            _ => rng.Chance(0.6) ? local : rng.Pick(s_cities),
        };
    }

    private static string VictimPhrase(Rng rng, string callerType, WorldPerson? victim, bool female, int age)
    {
        var name = victim is not null && rng.Chance(0.5) ? " " + PersonNames.Join(rng.Pick(["llamada", "de nombre", ""]), victim.FirstNames.Split(' ')[0]) : "";
        var ageText = rng.Pick([" de " + age + " años", " de aprox. " + age + " años", " (" + age + ")", age < 18 ? " menor de edad" : "", ""]);
        return callerType switch
        {
            "VICTIMA" => rng.Pick(["indica que ella", "refiere que", "cuenta que desde hace tiempo", "dice que"]) + (female ? "" : " él"),
            "FAMILIAR" => "refiere que su " + Relative(rng, female, age) + name + ageText,
            _ => "refiere que " + (age < 18
                ? (female ? rng.Pick(["una menor", "una chica", "una adolescente", "una niña", "una jovencita"]) : rng.Pick(["un menor", "un adolescente", "un niño", "un chico"]))
                : (female ? rng.Pick(["una joven", "una chica", "una señorita", "una mujer"]) : rng.Pick(["un joven", "un muchacho", "un señor", "un hombre"]))) + name + ageText,
        };
    }

    private static string Relative(Rng rng, bool female, int age)
    {
        if (age < 18)
        {
            return female ? rng.Pick(["hija", "sobrina", "hermana menor", "nieta", "prima", "ahijada", "hijastra"]) : rng.Pick(["hijo", "sobrino", "hermano menor", "nieto", "ahijado"]);
        }

        return female ? rng.Pick(["hija", "sobrina", "hermana", "prima", "cuñada"]) : rng.Pick(["hijo", "sobrino", "hermano", "primo", "cuñado"]);
    }

    private static string Opener(Rng rng, string callerType) => callerType switch
    {
        "VICTIMA" => rng.Pick(["Llama la víctima quien", "Llamante", "Víctima llama desde un teléfono público,", "Se comunica la persona afectada,", "Llama a escondidas la víctima,", "Llama desde un celular prestado la víctima,"]),
        "FAMILIAR" => rng.Pick(["Llama un familiar quien", "Se comunica un familiar,", "Sra. llama preocupada,", "Llama familiar de la víctima,", "Familiar", "Llama desde " + rng.Pick(s_origins) + " un familiar,"]),
        "TESTIGO" => rng.Pick(["Vecino", "Llamante que trabaja cerca del lugar", "Un taxista", "Persona que estuvo en el lugar", "Una vendedora del mercado"]),
        "INSTITUCION" => rng.Pick(["Llama personal de la DEMUNA,", "Profesora de colegio", "Llama promotora de salud de la posta,", "Representante de una ONG", "Llama el teniente gobernador,", "Llama asistenta social del hospital,"]),
        _ => rng.Pick(["Llamada anónima,", "Persona que no da su nombre", "Anónimo", "Llamante no se identifica,", "Sin datos del llamante,"]),
    };

    // ---- hard negatives ----------------------------------------------------------------------------------------------
    private static string Information(Rng rng)
    {
        var ask = rng.Pick([
            "pregunta qué es la trata de personas", "solicita información sobre cómo saber si una agencia de empleos es formal",
            "pide el teléfono de la DEMUNA", "consulta qué requisitos necesita su hijo menor para viajar solo",
            "pide folletos sobre trata para una charla en el colegio", "pregunta si la línea es gratuita",
            "consulta dónde puede sacar el DNI de su hija", "pregunta cómo denunciar a un vecino que hace ruido",
            "pide la dirección de la comisaría de su distrito", "quiere saber si una oferta de trabajo en el extranjero que vio en el periódico es segura",
            "pide información sobre el Ministerio de Trabajo para reclamar su liquidación", "pregunta por los horarios de atención de la fiscalía",
            "consulta sobre la nueva ley contra la trata", "pregunta si puede denunciar de forma anónima", "pide información para un trabajo del instituto sobre trata de personas",
            "pregunta qué hacer porque perdió su DNI", "consulta cómo hacer una denuncia por pensión de alimentos",
            "trabaja en un night club por su propia voluntad y pregunta dónde sacar su carné sanitario", "pregunta si un contrato para trabajar de mesera en Italia es legal",
            "pregunta cómo hacer una charla sobre explotación sexual infantil en su comunidad", "consulta si la trata de personas es lo mismo que el tráfico de migrantes"]);
        var opener = rng.Pick(["Llamante", "Sra.", "Señor", "Estudiante", "Profesor", "Joven", "Llama una persona que"]);
        var tail = rng.Pick(["Se brinda información.", "Se orienta.", "Se le da la información solicitada.", "Se le explica.", "", "Se absuelve consulta."]);
        return Capitalize(opener + " " + ask + ". " + tail).Trim();
    }

    private static string Silent(Rng rng) => rng.Pick(["", "", "", "Llamada en silencio", "No hablan", "Se corta la llamada", "Silencio, cuelgan", "Llamada muda", "No responde nadie", "Se escucha ruido y cortan", "Cuelga"]);

    private static string Prank(Rng rng) => rng.Pick(["Broma", "Niños jugando con el teléfono", "Insultos y cuelga", "Llamada de broma", "Preguntan por una pollería", "Llamada equivocada", "Se ríen y cuelgan", "Menores haciendo bromas", "Pide hablar con un tal Juan, número equivocado", "Se escucha música y cortan", "Dice que hay una bomba, broma"]);

    private static string DomesticViolence(Rng rng, string callerType, WorldPerson? victim)
    {
        var aggressor = rng.Pick(["su esposo", "su conviviente", "su pareja", "su ex conviviente", "el padrastro", "su cuñado"]);
        var parts = new List<string>
        {
            (callerType == "VICTIMA" ? "Llamante refiere que " : rng.Pick(["Vecina informa que ", "Llama la hermana, refiere que ", "Se comunica la madre, dice que ", "Refieren que "]))
                + aggressor + " " + rng.Pick(["la golpea", "la maltrata cuando llega borracho", "la amenaza con matarla", "la insulta y la golpea delante de los hijos", "le pegó anoche"]),
        };
        if (rng.Chance(0.45))
        {
            parts.Add(rng.Pick(["No la deja salir de la casa", "Le quitó el DNI para que no se vaya", "La tiene encerrada en el cuarto", "Le quita la plata que gana vendiendo", "Le dice que si se va le quita a los hijos", "La amenaza con botarla de la casa"]));
        }

        if (rng.Chance(0.3))
        {
            parts.Add(rng.Pick(["Ya denunció antes en la comisaría", "No quiere denunciar por los hijos", "Tiene miedo", "Pide que vaya un patrullero"]));
        }

        parts.Add(rng.Pick(["Se deriva a comisaría", "Se orienta para que acuda al CEM", "Se le da el teléfono del CEM", "Se deriva a la DEMUNA", ""]));
        return string.Join(". ", parts.Where(p => p.Length > 0)) + ".";
    }

    private static string UnpaidWages(Rng rng, string callerType, WorldPerson? victim)
    {
        var where = rng.Pick(["una obra de construcción", "una empresa de seguridad", "un restaurante", "una chacra", "una mina formal", "una fábrica de confecciones en Gamarra", "una tienda", "un fundo agroexportador", "una casa como trabajadora del hogar", "un bar como moza", "un night club como anfitriona", "un campamento minero", "un aserradero"]);
        var parts = new List<string>
        {
            (callerType == "VICTIMA" ? "Llamante refiere que" : "Refiere que su " + rng.Pick(["hijo", "hija", "esposo", "hermano"])) + " trabajó " + rng.Between(1, 11) + " meses en " + where + " y " + rng.Pick(["no le pagaron los últimos sueldos", "le deben " + Money(rng) + " soles", "no le quieren dar su liquidación", "le pagan menos de lo acordado", "lo despidieron sin pagarle"]),
        };
        if (rng.Chance(0.55))
        {
            parts.Add(rng.Pick(["Puede salir cuando quiere", "Tiene sus documentos", "No lo amenazan", "Ya no trabaja ahí", "Vive en su casa", "Nadie le retiene sus papeles", "Dice que no está encerrado ni nada de eso, solo quiere su plata"]));
        }

        if (rng.Chance(0.3))
        {
            parts.Add(rng.Pick(["El patrón dice que le va a pagar el próximo mes", "Trabajaba más de 10 horas", "Tiene una deuda con el prestamista por eso", "No tenía contrato"]));
        }

        parts.Add(rng.Pick(["Se orienta a acudir al Ministerio de Trabajo", "Se le da la dirección del Ministerio de Trabajo", "Se le indica que no es un caso de trata y se orienta", "Se orienta"]));
        return string.Join(". ", parts) + ".";
    }

    private static string JobFraud(Rng rng, string callerType, WorldPerson? victim)
    {
        var where = rng.Pick(["España", "Italia", "Argentina", "Chile", "una mina en Arequipa", "Lima", "Estados Unidos", "Japón", "un crucero"]);
        var parts = new List<string>
        {
            Capitalize(rng.Pick(["pagó", "su hija pagó", "su esposo pagó", "dio"])) + " " + Money(rng) + " soles a " + rng.Pick(["una agencia de empleos", "una persona", "una supuesta empresa", "un tramitador"]) + " que le prometió trabajo en " + where + " " + rng.Pick(["y nunca le dieron el trabajo", "y la oficina cerró", "y ya no contesta el teléfono", "y le dan largas"]),
        };
        if (rng.Chance(0.4))
        {
            parts.Add(rng.Pick(["No llegó a viajar", "Se quedaron con su pasaporte y su plata", "Hay varias personas estafadas", "Quiere recuperar su dinero"]));
        }

        parts.Add(rng.Pick(["Se orienta a denunciar por estafa", "Se deriva a la comisaría", "Se orienta a Indecopi", "Se orienta"]));
        return string.Join(". ", parts) + ".";
    }

    private static string RunawayTeen(Rng rng, WorldPerson? victim)
    {
        var age = victim?.Age ?? rng.Between(13, 17);
        var child = victim?.Sex == 'M' ? "hijo" : "hija";
        var parts = new List<string>
        {
            rng.Pick(["Madre refiere que su ", "Padre llama porque su ", "Sra. indica que su "]) + child + " de " + age + " años " + rng.Pick(["se fue de la casa con su enamorado", "se escapó de la casa después de una discusión", "no regresó del colegio y está en casa de una amiga", "se fue a vivir con su enamorado"]),
        };
        if (rng.Chance(0.5))
        {
            parts.Add(rng.Pick(["Habló por teléfono y dice que está bien pero no quiere volver", "Sabe dónde está", "Ya se había ido antes", "Pide que la policía la traiga de vuelta"]));
        }

        parts.Add(rng.Pick(["Se orienta a denunciar en la comisaría", "Se deriva a la DEMUNA", "Se orienta"]));
        return string.Join(". ", parts) + ".";
    }

    private static string SexualAssault(Rng rng, string callerType, WorldPerson? victim)
    {
        var who = rng.Pick(["un vecino", "el padrastro", "un profesor", "un tío", "un desconocido", "el chofer de la combi"]);
        return rng.Pick(["Madre refiere que su hija", "Llamante indica que su sobrina", "Llama la víctima, refiere que", "Profesora informa que una alumna"]) + " " + rng.Pick(["fue abusada sexualmente por", "sufrió tocamientos indebidos de", "fue violada por", "fue agredida sexualmente por"]) + " " + who + ". "
            + rng.Pick(["Ya pasó el examen médico legal", "No quiere denunciar", "Pide orientación", "El agresor sigue en la zona", ""]) + ". "
            + rng.Pick(["Se deriva a comisaría.", "Se orienta al CEM.", "Se deriva a fiscalía de familia.", ""]);
    }

    private static string MissingPerson(Rng rng, WorldPerson? victim)
    {
        var rel = victim?.Sex == 'M' ? rng.Pick(["hermano", "hijo", "esposo", "padre"]) : rng.Pick(["hermana", "hija", "esposa", "madre"]);
        var parts = new List<string>
        {
            "Refiere que su " + rel + rng.Pick([" salió a trabajar y no regresa desde hace " + rng.Between(2, 10) + " días", " no contesta el celular desde el domingo", " salió al mercado y no volvió", " viajó a Lima y no se sabe nada de " + (victim?.Sex == 'M' ? "él" : "ella"), " desapareció hace una semana"]),
        };
        if (rng.Chance(0.35))
        {
            parts.Add(rng.Pick(["Tiene problemas de memoria", "Toma mucho", "Ya fueron a los hospitales", "Ya puso la denuncia por desaparición", "Tenía problemas con su pareja"]));
        }

        parts.Add(rng.Pick(["Se deriva a comisaría", "Se orienta a poner la denuncia", "Se toman los datos"]));
        return string.Join(". ", parts) + ".";
    }

    private static string MinorWorking(Rng rng, WorldPerson? victim, UbigeoDistrict district)
    {
        var age = victim?.Age ?? rng.Between(14, 17);
        return rng.Pick(["Vecina", "Llamante", "Profesora"]) + " " + rng.Pick(["pregunta si es legal que", "informa que", "consulta porque"]) + " una menor de " + age + " años trabaja " + rng.Pick(["en el restaurante de su tía", "en la tienda de sus padres", "vendiendo en el mercado con su mamá", "como ayudante en una bodega los fines de semana"]) + " en " + TitleCase(district.District) + ". "
            + rng.Pick(["Tiene permiso de los padres y estudia en las tardes", "Le pagan y va al colegio", "No hay maltrato, vive con su familia", "Puede salir cuando quiere, solo trabaja en vacaciones"]) + ". "
            + rng.Pick(["Se orienta sobre trabajo infantil.", "Se informa a la DEMUNA.", "Se brinda información.", ""]);
    }

    private static string OtherCrime(Rng rng, UbigeoDistrict district) =>
        rng.Pick(["Le robaron el celular en la combi", "Denuncia que unos pandilleros asaltan en la esquina de su casa", "Lo están extorsionando por teléfono", "Reclama porque la comisaría no le recibió la denuncia", "Denuncia venta de droga en un parque de " + TitleCase(district.District), "Tiene problemas con un prestamista que le cobra una deuda con intereses altos", "Denuncia que un bar de su cuadra vende licor a menores y hay peleas", "Reclama por maltrato de un policía", "Accidente de tránsito, pide ambulancia", "Le estafaron con la venta de un terreno", "Vecinos se quejan de un local donde se ejerce la prostitución, hay ruido y peleas todas las noches, las trabajadoras son mayores de edad", "Denuncia que en un bar de " + TitleCase(district.District) + " venden cerveza hasta la madrugada y hay peleas", "Reclama porque su empleador de la mina no le paga las horas extras, tiene contrato y sus documentos"])
        + ". " + rng.Pick(["Se deriva a comisaría.", "Se orienta.", "Se le da el número que corresponde.", ""]);

    // ---- helpers -------------------------------------------------------------------------------------------------------
    private static string Pronoun(Rng rng, bool female) => rng.Pick(female ? s_femaleLeads : s_maleLeads);

    private static string JoinClauses(Rng rng, List<string> clauses)
    {
        if (clauses.Count == 1)
        {
            return clauses[0];
        }

        var builder = new StringBuilder();
        for (var i = 0; i < clauses.Count; i++)
        {
            if (i > 0)
            {
                builder.Append(i == clauses.Count - 1 ? rng.Pick([" y ", ", además ", ". También ", ", "]) : rng.Pick([", ", ". ", ", además "]));
            }

            builder.Append(clauses[i]);
        }

        return builder.ToString();
    }

    private static string Fill(Rng rng, string template, bool female = true, string place = "ese lugar", string clients = "los clientes") =>
        template.Replace("{m}", Money(rng), StringComparison.Ordinal).Replace("{n}", rng.Between(2, 9).ToString(s_es), StringComparison.Ordinal)
            .Replace("{la}", female ? "la" : "lo", StringComparison.Ordinal).Replace("{a}", female ? "a" : "o", StringComparison.Ordinal)
            .Replace("{lugar}", place, StringComparison.Ordinal).Replace("{clientes}", clients, StringComparison.Ordinal);

    private static string Money(Rng rng) => (rng.Between(3, 40) * 50).ToString(s_es);

    private static string Capitalize(string s) => s.Length == 0 ? s : char.ToUpperInvariant(s[0]) + s[1..];

    private static string TitleCase(string upper) => CultureInfo.InvariantCulture.TextInfo.ToTitleCase(upper.ToLowerInvariant());
}
