// The Dutch message catalogue of the country dossier page: the same ids and placeholders as the
// English one (dossier_messages.cc, where each placeholder's meaning is given).
#include <string>
#include <utility>
#include <vector>

#include "services/stats/dossier_messages.h"

namespace consular::stats {
namespace {

struct Message {
  const char* id;
  const char* text;
};

constexpr Message kDutch[] = {
    // Getallen en data.
    {"number.group_separator", "."},
    {"date.day_month_year", "$0 $1 $2"},
    {"date.month_year", "$0 $1"},
    {"date.timestamp", "$0, $1 UTC"},
    {"date.not_recorded", "niet vastgelegd"},
    {"month.short.1", "jan"},
    {"month.short.2", "feb"},
    {"month.short.3", "mrt"},
    {"month.short.4", "apr"},
    {"month.short.5", "mei"},
    {"month.short.6", "jun"},
    {"month.short.7", "jul"},
    {"month.short.8", "aug"},
    {"month.short.9", "sep"},
    {"month.short.10", "okt"},
    {"month.short.11", "nov"},
    {"month.short.12", "dec"},
    {"month.long.1", "januari"},
    {"month.long.2", "februari"},
    {"month.long.3", "maart"},
    {"month.long.4", "april"},
    {"month.long.5", "mei"},
    {"month.long.6", "juni"},
    {"month.long.7", "juli"},
    {"month.long.8", "augustus"},
    {"month.long.9", "september"},
    {"month.long.10", "oktober"},
    {"month.long.11", "november"},
    {"month.long.12", "december"},
    // Perioden.
    {"period.quarter", "$0 K$1"},
    {"period.range", "$0 \u2013 $1"},
    {"period.not_specified", "periode niet opgegeven"},
    {"range.years", "$0\u2013$1"},
    // De vertraging van de cijfers.
    {"lag.none", "geen: elke vastgelegde gebeurtenis is meegeteld"},
    {"lag.under_a_second", "minder dan een seconde"},
    {"lag.two_units", "$0 $1"},
    {"unit.day.one", "$0 dag"},
    {"unit.day.other", "$0 dagen"},
    {"unit.hour.one", "$0 uur"},
    {"unit.hour.other", "$0 uur"},
    {"unit.minute.one", "$0 minuut"},
    {"unit.minute.other", "$0 minuten"},
    {"unit.second.one", "$0 seconde"},
    {"unit.second.other", "$0 seconden"},
    {"list.separator", ", "},
    {"aria.separator", "; "},

    // De pagina.
    {"page.title", "Landendossier $0 \u2014 $1"},
    {"page.heading", "Landendossier: $0, $1"},
    {"meta.country", "Land"},
    {"meta.period", "Periode"},
    {"meta.generated_at", "Gemaakt op"},
    {"meta.as_of", "Cijfers per"},
    {"meta.as_of_value", "$0 (elke gebeurtenis die daarvoor is vastgelegd, is meegeteld)"},
    {"meta.lag", "Vertraging"},
    {"meta.definitions", "Telregels"},
    {"meta.definitions_value", "versie $0"},
    {"meta.definitions_not_recorded", "niet vastgelegd"},
    {"meta.small_numbers", "Kleine aantallen"},
    {"meta.small_numbers_value", "Aantallen van 1 tot en met $0 worden niet getoond$1 ($2)"},
    {"meta.rounded", "; cijfers zijn afgerond op het dichtstbijzijnde veelvoud van 5"},
    {"meta.how", "hoe"},

    // Cijfers.
    {"figure.suppressed_mark", "x"},
    {"figure.suppressed_title",
     "niet getoond: minder dan $0, of het zou zo\u2019n cijfer laten afleiden"},
    {"figure.suppressed_words", "minder dan $0 of niet getoond"},
    {"headline.heading", "Kerncijfers"},
    {"headline.cases_opened", "Geopende zaken"},
    {"headline.cases_resolved", "Afgeronde zaken"},
    {"headline.cases_unresolved", "Niet afgerond aan het eind van de periode"},
    {"headline.contacts", "Zaken met contacten met partners"},
    {"headline.median_days", "Mediaan aantal dagen tot afronding"},
    {"headline.days", "$0 dagen"},
    {"headline.median_suppressed_title", "niet getoond: minder dan $0 zaken afgerond"},
    {"headline.median_not_shown", "niet getoond"},

    // Grafieken.
    {"charts.heading", "Grafieken"},
    {"chart.aria", "$0. $1"},
    {"chart.aria_value", "$0: $1"},
    {"chart.legend_suppressed", "$0: niet getoond (zie toelichting)"},
    {"chart.not_available", "Niet beschikbaar: deze uitsplitsing staat niet in de cijfers"},
    {"chart.not_available_short", "Niet beschikbaar"},
    {"chart.history.caption", "Geopende zaken per jaar, naar soort"},
    {"chart.history.caption_years", "Geopende zaken per jaar, naar soort, $0"},
    {"chart.history.value_axis", "Geopende zaken"},
    {"chart.history.category_axis", "Jaar"},
    {"chart.history.empty", "Geen zaken in deze jaren"},
    {"chart.history.aria_year", "$0: achterlating $1, erkenning buitenlandse echtscheiding $2"},
    {"chart.outcomes.caption", "Zaken afgerond in $0, naar uitkomst"},
    {"chart.outcomes.value_axis", "Afgeronde zaken"},
    {"chart.outcomes.category_axis", "Uitkomst"},
    {"chart.outcomes.series", "Afgeronde zaken"},
    {"chart.outcomes.empty", "Geen zaken in deze periode"},
    {"chart.recognition.caption",
     "Zaken over erkenning van een buitenlandse echtscheiding geopend in $0: erkenning verleend, "
     "geweigerd of nog open"},
    {"chart.recognition.value_axis", "Geopende zaken"},
    {"chart.recognition.category_axis", "Beslissing"},
    {"chart.recognition.granted", "Verleend"},
    {"chart.recognition.refused", "Geweigerd"},
    {"chart.recognition.pending", "Nog open"},
    {"chart.recognition.empty", "Geen zaken in deze periode"},
    {"chart.age_groups.caption", "Zaken geopend in $0, naar leeftijdsgroep bij opening"},
    {"chart.age_groups.value_axis", "Geopende zaken"},
    {"chart.age_groups.category_axis", "Leeftijdsgroep"},
    {"chart.age_groups.series", "Geopende zaken"},
    {"chart.age_groups.empty", "Geen zaken in deze periode"},
    {"chart.contacts.caption", "Zaken met contacten met partners in $0, naar soort partner"},
    {"chart.contacts.value_axis", "Zaken"},
    {"chart.contacts.category_axis", "Soort partner"},
    {"chart.contacts.series", "Zaken met contacten"},
    {"chart.contacts.empty", "Geen zaken met contacten in deze periode"},

    // Tabellen.
    {"tables.heading", "Cijfers in detail"},
    {"tables.no_breakdowns", "Voor deze periode zijn geen uitsplitsingen beschikbaar."},
    {"table.no_categories", "Geen categorie\u00ebn"},
    {"table.total", "Totaal"},
    {"breakdown.title", "$0 $1"},
    {"measure.MEASURE_CASES_OPENED", "Geopende zaken"},
    {"measure.MEASURE_CASES_RESOLVED", "Afgeronde zaken"},
    {"measure.MEASURE_CASES_UNRESOLVED", "Niet afgeronde zaken aan het eind van de periode"},
    {"measure.MEASURE_CONTACTS", "Zaken met contacten met partners"},
    {"measure.other", "Cijfers"},
    {"measure_unit.MEASURE_CONTACTS", "Zaken"},
    {"previous.heading", "Contacten volgens definities $0, naast definities $1"},
    {"previous.note",
     "Definities $0 telden elk contact met partners; definities $1 tellen de zaken met een "
     "contact, elk \u00e9\u00e9n keer. In dit overgangsjaar staan beide naast elkaar. Een aantal "
     "contacten "
     "wordt niet getoond als er te weinig zaken achter zitten, hoeveel contacten dat ook waren."},
    {"previous.title", "Definities $0 en $1 $2"},
    {"previous.column_now", "Zaken met contacten (definities $0)"},
    {"previous.column_then", "Contacten (definities $0)"},
    {"measure_unit.other", "Zaken"},
    {"dimension.other.heading", "naar $0"},
    {"dimension.DIMENSION_CASE_TYPE.heading", "naar soort zaak"},
    {"dimension.DIMENSION_CASE_TYPE.column", "Soort zaak"},
    {"dimension.DIMENSION_STATUS.heading", "naar huidige status"},
    {"dimension.DIMENSION_STATUS.column", "Huidige status"},
    {"dimension.DIMENSION_OUTCOME.heading", "naar uitkomst"},
    {"dimension.DIMENSION_OUTCOME.column", "Uitkomst"},
    {"dimension.DIMENSION_AGE_GROUP.heading", "naar leeftijdsgroep bij opening"},
    {"dimension.DIMENSION_AGE_GROUP.column", "Leeftijdsgroep"},
    {"dimension.DIMENSION_MOTHER_WITH_MINOR_CHILDREN.heading",
     "naar of de persoon moeder is van minderjarige kinderen"},
    {"dimension.DIMENSION_MOTHER_WITH_MINOR_CHILDREN.column", "Moeder van minderjarige kinderen"},
    {"dimension.DIMENSION_SEX.heading", "naar geslacht"},
    {"dimension.DIMENSION_SEX.column", "Geslacht"},
    {"dimension.DIMENSION_NATIONALITY_STATUS.heading", "naar nationaliteit"},
    {"dimension.DIMENSION_NATIONALITY_STATUS.column", "Nationaliteit"},
    {"dimension.DIMENSION_REFERRAL_SOURCE.heading", "naar melder"},
    {"dimension.DIMENSION_REFERRAL_SOURCE.column", "Gemeld door"},
    {"dimension.DIMENSION_RISK_FLAG.heading", "naar risicosignaal"},
    {"dimension.DIMENSION_RISK_FLAG.column", "Risicosignaal"},
    {"dimension.DIMENSION_MONTH.heading", "naar maand"},
    {"dimension.DIMENSION_MONTH.column", "Maand"},
    {"dimension.DIMENSION_RECOGNITION_DECISION.heading", "naar beslissing over erkenning"},
    {"dimension.DIMENSION_RECOGNITION_DECISION.column", "Beslissing over erkenning"},
    {"dimension.DIMENSION_RECOGNITION_OBSTACLE.heading", "naar belemmering bij erkenning"},
    {"dimension.DIMENSION_RECOGNITION_OBSTACLE.column", "Belemmering"},
    {"dimension.DIMENSION_PARTNER_KIND.heading", "naar soort partner"},
    {"dimension.DIMENSION_PARTNER_KIND.column", "Soort partner"},
    {"dimension.DIMENSION_CONTACT_PURPOSE.heading", "naar doel van het contact"},
    {"dimension.DIMENSION_CONTACT_PURPOSE.column", "Doel"},
    {"breakdown_note.DIMENSION_RISK_FLAG",
     "Een zaak telt mee bij elk van haar risicosignalen, dus de rijen tellen niet op tot het "
     "totaal; het totaal is het aantal zaken."},
    {"breakdown_note.DIMENSION_RECOGNITION_OBSTACLE",
     "Over de zaken over erkenning van een buitenlandse echtscheiding die in de periode zijn "
     "geopend. Een zaak telt mee bij elke genoemde belemmering, dus de rijen tellen niet op tot "
     "het totaal."},
    {"breakdown_note.DIMENSION_RECOGNITION_DECISION",
     "Over de zaken over erkenning van een buitenlandse echtscheiding die in de periode zijn "
     "geopend; de beslissing zoals die nu is."},
    {"breakdown_note.DIMENSION_STATUS",
     "De status van de zaken nu, niet aan het eind van de periode."},
    {"breakdown_note.DIMENSION_MOTHER_WITH_MINOR_CHILDREN",
     "Ja: een vrouw met kinderen jonger dan 18."},
    {"history.title", "Geopende zaken per jaar, naar soort zaak"},
    {"history.not_available", "Niet beschikbaar."},
    {"history.year", "Jaar"},

    // Categorieën.
    {"category_fallback.unspecified", "Niet vastgelegd"},
    {"category.CASE_TYPE_ABANDONMENT", "Achterlating"},
    {"category.CASE_TYPE_FOREIGN_DIVORCE_RECOGNITION", "Erkenning buitenlandse echtscheiding"},
    {"category.CASE_STATUS_INTAKE", "Intake"},
    {"category.CASE_STATUS_ACTIVE", "Actief"},
    {"category.CASE_STATUS_ON_HOLD", "Aangehouden"},
    {"category.CASE_STATUS_RESOLVED", "Afgerond"},
    {"category.CASE_STATUS_CLOSED", "Gesloten"},
    {"category.OUTCOME_RETURNED_TO_NL", "Teruggekeerd naar Nederland"},
    {"category.OUTCOME_STAYED_BY_OWN_CHOICE", "Uit eigen keuze gebleven"},
    {"category.OUTCOME_RETURN_NOT_POSSIBLE", "Terugkeer niet mogelijk"},
    {"category.OUTCOME_CONTACT_LOST", "Contact verloren"},
    {"category.OUTCOME_REFERRED_ELSEWHERE", "Elders doorverwezen"},
    {"category.OUTCOME_WITHDRAWN", "Ingetrokken"},
    {"category.OUTCOME_RECOGNISED", "Echtscheiding erkend"},
    {"category.OUTCOME_REFUSED", "Erkenning geweigerd"},
    {"category.OUTCOME_ALTERNATIVE_SOLUTION", "Andere oplossing"},
    {"category.OUTCOME_PROCEEDINGS_ABANDONED", "Procedure gestaakt"},
    {"category.AGE_GROUP_MINOR", "Minderjarig (jonger dan 18)"},
    {"category.AGE_GROUP_YOUNG_ADULT", "Jongvolwassen (18\u201323)"},
    {"category.AGE_GROUP_ADULT", "Volwassen (24+)"},
    {"category.AGE_GROUP_UNKNOWN", "Onbekend"},
    {"category.YES", "Ja"},
    {"category.NO", "Nee"},
    {"category.SEX_FEMALE", "Vrouw"},
    {"category.SEX_MALE", "Man"},
    {"category.SEX_X", "X (vrouw noch man)"},
    {"category.SEX_UNKNOWN", "Onbekend"},
    {"category.NATIONALITY_STATUS_DUTCH_ONLY", "Alleen Nederlands"},
    {"category.NATIONALITY_STATUS_DUAL", "Nederlands en een andere nationaliteit"},
    {"category.NATIONALITY_STATUS_RESIDENCE_PERMIT",
     "Nederlandse verblijfsvergunning, niet Nederlands"},
    {"category.REFERRAL_SOURCE_SELF", "De persoon zelf"},
    {"category.REFERRAL_SOURCE_FAMILY", "Familie"},
    {"category.REFERRAL_SOURCE_LKHA", "LKHA (Landelijk Knooppunt Huwelijksdwang en Achterlating)"},
    {"category.REFERRAL_SOURCE_SCHOOL", "School"},
    {"category.REFERRAL_SOURCE_POLICE", "Politie"},
    {"category.REFERRAL_SOURCE_NGO", "Maatschappelijke organisatie"},
    {"category.REFERRAL_SOURCE_OTHER_POST", "Een andere post"},
    {"category.REFERRAL_SOURCE_OTHER", "Anders"},
    {"category.RISK_FLAG_FORCED_MARRIAGE", "Huwelijksdwang"},
    {"category.RISK_FLAG_MARITAL_CAPTIVITY", "Huwelijkse gevangenschap"},
    {"category.RISK_FLAG_MINOR_INVOLVED", "Minderjarige betrokken"},
    {"category.RISK_FLAG_CHILDREN_WITH_PERSON", "Kinderen bij de persoon"},
    {"category.RISK_FLAG_PASSPORT_WITHHELD", "Paspoort ingehouden"},
    {"category.RISK_FLAG_RESIDENCE_PERMIT_AT_RISK", "Verblijfsvergunning in gevaar"},
    {"category.RISK_FLAG_HONOUR_VIOLENCE_THREAT", "Dreiging van eergerelateerd geweld"},
    {"category.RISK_FLAG_FGM_RISK", "Risico op vrouwelijke genitale verminking"},
    {"category.RISK_FLAG_PREGNANCY", "Zwangerschap"},
    {"category.RECOGNITION_DECISION_GRANTED", "Verleend"},
    {"category.RECOGNITION_DECISION_REFUSED", "Geweigerd"},
    {"category.RECOGNITION_DECISION_UNSPECIFIED", "Nog open (nog geen beslissing)"},
    {"category.RECOGNITION_OBSTACLE_SPOUSE_CONSENT_DEMANDED", "Toestemming echtgenoot ge\u00ebist"},
    {"category.RECOGNITION_OBSTACLE_RELIGIOUS_DIVORCE_DEMANDED",
     "Religieuze scheiding ge\u00ebist"},
    {"category.RECOGNITION_OBSTACLE_DOCUMENT_LEGALISATION", "Legalisatie van documenten"},
    {"category.RECOGNITION_OBSTACLE_COST", "Kosten"},
    {"category.RECOGNITION_OBSTACLE_NO_LAWYER_AVAILABLE", "Geen advocaat beschikbaar"},
    {"category.RECOGNITION_OBSTACLE_OTHER", "Anders"},
    {"category.PARTNER_KIND_LAWYER", "Advocaat"},
    {"category.PARTNER_KIND_AID_ORGANISATION", "Hulporganisatie"},
    {"category.PARTNER_KIND_SHELTER", "Opvang"},
    {"category.PARTNER_KIND_LOCAL_AUTHORITY", "Lokale overheid"},
    {"category.PARTNER_KIND_MEDICAL", "Medisch"},
    {"category.PARTNER_KIND_OTHER", "Anders"},
    {"category.CONTACT_PURPOSE_LEGAL_ADVICE", "Juridisch advies"},
    {"category.CONTACT_PURPOSE_COURT_REPRESENTATION", "Vertegenwoordiging in rechte"},
    {"category.CONTACT_PURPOSE_SHELTER", "Opvang"},
    {"category.CONTACT_PURPOSE_DOCUMENTS", "Documenten"},
    {"category.CONTACT_PURPOSE_MEDIATION", "Bemiddeling"},
    {"category.CONTACT_PURPOSE_MEDICAL", "Medische zorg"},
    {"category.CONTACT_PURPOSE_RETURN_TRAVEL", "Terugreis"},
    {"category.CONTACT_PURPOSE_OTHER", "Anders"},

    // Bilaterale gesprekken.
    {"talks.heading", "Bilaterale gesprekken"},
    {"talks.none", "Geen gesprekken vastgelegd."},
    {"talks.title", "$0 \u2014 $1"},
    {"talks.date_not_recorded", "Datum niet vastgelegd"},
    {"talks.level", "Niveau"},
    {"talks.topics", "Onderwerpen"},
    {"talks.summary", "Samenvatting"},
    {"talks.outcome", "Uitkomst"},
    {"talks.follow_up", "Vervolg"},
    {"talks.none_recorded", "Niets vastgelegd"},
    {"talks.due", "(uiterlijk $0)"},
    {"talk_level.TALK_LEVEL_MINISTERIAL", "Ministerieel"},
    {"talk_level.TALK_LEVEL_AMBASSADOR", "Ambassadeur"},
    {"talk_level.TALK_LEVEL_OFFICIAL", "Ambtelijk"},
    {"talk_level.unspecified", "Niveau niet vastgelegd"},
    {"talk_topic.TALK_TOPIC_ABANDONMENT", "Achterlating"},
    {"talk_topic.TALK_TOPIC_DIVORCE_RECOGNITION", "Erkenning van echtscheiding"},
    {"talk_topic.TALK_TOPIC_FORCED_MARRIAGE", "Huwelijksdwang"},
    {"talk_topic.TALK_TOPIC_CONSULAR_ACCESS", "Consulaire toegang"},
    {"talk_topic.TALK_TOPIC_DUAL_NATIONALITY", "Dubbele nationaliteit"},
    {"talk_topic.TALK_TOPIC_CHILD_PROTECTION", "Kinderbescherming"},
    {"talk_topic.TALK_TOPIC_OTHER", "Anders"},
    {"talk_topic.unspecified", "Niet vastgelegd"},

    // Hoe kleine aantallen worden beschermd.
    {"note.heading", "Hoe kleine aantallen worden beschermd"},
    {"note.threshold",
     "Zodat niemand uit deze cijfers herkenbaar is, worden aantallen van 1 tot en met $0 niet "
     "getoond. Ook de cijfers waaruit zo\u2019n aantal zou zijn af te leiden uit een totaal, uit "
     "de andere categorie\u00ebn of uit andere perioden, worden niet getoond."},
    {"note.mark",
     "Een cijfer dat niet wordt getoond, is in de tabellen gemarkeerd met \u201c$1\u201d en een "
     "sterretje (*) en in de grafieken getekend als een korte, gearceerde staaf met een "
     "gestippelde rand, met het label \u201c$1\u201d. Het wordt nooit als 0 getoond. Het kan staan "
     "voor een aantal van 1 tot en met $0 of voor een groter cijfer dat is weggelaten omdat het "
     "zo\u2019n aantal zou onthullen. Een 0 is echt nul."},
    {"note.median",
     "Het mediaan aantal dagen tot afronding wordt niet getoond als er in de periode minder dan $2 "
     "zaken zijn afgerond."},
    {"note.rounded",
     "Elk getoond cijfer is afgerond op het dichtstbijzijnde veelvoud van 5, dus een totaal kan "
     "afwijken van de som van zijn delen."},
    {"note.not_rounded", "Cijfers zijn niet afgerond."},
};

}  // namespace

const DossierMessages& DossierMessages::Dutch() {
  static const DossierMessages* const dutch = [] {
    std::vector<std::pair<std::string, std::string>> texts;
    for (const Message& message : kDutch) texts.emplace_back(message.id, message.text);
    return new DossierMessages("nl", std::move(texts));
  }();
  return *dutch;
}

const DossierMessages& DossierMessages::ForLanguage(absl::string_view language) {
  return language == "nl" ? Dutch() : English();
}

}  // namespace consular::stats
