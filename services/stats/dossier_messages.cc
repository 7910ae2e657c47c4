#include "services/stats/dossier_messages.h"

#include <algorithm>
#include <string>
#include <utility>
#include <vector>

namespace consular::stats {
namespace {

struct Message {
  const char* id;
  const char* text;
};

// English. Placeholders are described in the comment above each group.
constexpr Message kEnglish[] = {
    // Numbers and dates. $0 day, $1 month abbreviation, $2 year; $0 date in words, $1 hh:mm:ss.
    {"number.group_separator", ","},
    {"date.day_month_year", "$0 $1 $2"},
    {"date.month_year", "$0 $1"},  // $0 month name, $1 year
    {"date.timestamp", "$0, $1 UTC"},
    {"date.not_recorded", "not recorded"},
    {"month.short.1", "Jan"},
    {"month.short.2", "Feb"},
    {"month.short.3", "Mar"},
    {"month.short.4", "Apr"},
    {"month.short.5", "May"},
    {"month.short.6", "Jun"},
    {"month.short.7", "Jul"},
    {"month.short.8", "Aug"},
    {"month.short.9", "Sep"},
    {"month.short.10", "Oct"},
    {"month.short.11", "Nov"},
    {"month.short.12", "Dec"},
    {"month.long.1", "January"},
    {"month.long.2", "February"},
    {"month.long.3", "March"},
    {"month.long.4", "April"},
    {"month.long.5", "May"},
    {"month.long.6", "June"},
    {"month.long.7", "July"},
    {"month.long.8", "August"},
    {"month.long.9", "September"},
    {"month.long.10", "October"},
    {"month.long.11", "November"},
    {"month.long.12", "December"},
    // Periods: $0 year, $1 quarter; $0 first day, $1 last day (in words).
    {"period.quarter", "$0 Q$1"},
    {"period.range", "$0 \u2013 $1"},
    {"period.not_specified", "period not specified"},
    {"range.years", "$0\u2013$1"},
    // The lag of the figures: $0 a number; "two units" joins two of them.
    {"lag.none", "none: every committed event is included"},
    {"lag.under_a_second", "under a second"},
    {"lag.two_units", "$0 $1"},
    {"unit.day.one", "$0 day"},
    {"unit.day.other", "$0 days"},
    {"unit.hour.one", "$0 hour"},
    {"unit.hour.other", "$0 hours"},
    {"unit.minute.one", "$0 minute"},
    {"unit.minute.other", "$0 minutes"},
    {"unit.second.one", "$0 second"},
    {"unit.second.other", "$0 seconds"},
    {"list.separator", ", "},
    {"aria.separator", "; "},

    // The page. $0 country, $1 period in words.
    {"page.title", "Country dossier $0 \u2014 $1"},
    {"page.heading", "Country dossier: $0, $1"},
    {"meta.country", "Country"},
    {"meta.period", "Period"},
    {"meta.generated_at", "Generated at"},
    {"meta.as_of", "Figures as of"},
    {"meta.as_of_value", "$0 (every event committed before then is counted)"},  // $0 timestamp
    {"meta.lag", "Lag"},
    {"meta.definitions", "Counting definitions"},
    {"meta.definitions_value", "version $0"},  // $0 the version
    {"meta.definitions_not_recorded", "not recorded"},
    {"meta.small_numbers", "Small numbers"},
    // $0 the largest count not shown, $1 the rounding clause (or nothing), $2 the link "how".
    {"meta.small_numbers_value", "Counts from 1 to $0 are not shown$1 ($2)"},
    {"meta.rounded", "; figures are rounded to the nearest 5"},
    {"meta.how", "how"},

    // Figures. $0 the threshold (the smallest count shown).
    {"figure.suppressed_mark", "x"},
    {"figure.suppressed_title",
     "not shown: fewer than $0, or would let such a figure be worked out"},
    {"figure.suppressed_words", "fewer than $0 or not shown"},
    {"headline.heading", "Headline figures"},
    {"headline.cases_opened", "Cases opened"},
    {"headline.cases_resolved", "Cases resolved"},
    {"headline.cases_unresolved", "Unresolved at the end of the period"},
    {"headline.contacts", "Cases with contacts with partners"},
    {"headline.median_days", "Median days to resolution"},
    {"headline.days", "$0 days"},  // $0 the median
    {"headline.median_suppressed_title", "not shown: fewer than $0 cases resolved"},
    {"headline.median_not_shown", "not shown"},

    // Charts. $0 the period in words.
    {"charts.heading", "Charts"},
    {"chart.aria", "$0. $1"},        // $0 caption, $1 the values in words (or a note)
    {"chart.aria_value", "$0: $1"},  // $0 category, $1 figure in words
    {"chart.legend_suppressed", "$0: not shown (see note)"},  // $0 the mark of a hidden figure
    {"chart.not_available", "Not available: this breakdown is not in the statistics"},
    {"chart.not_available_short", "Not available"},
    {"chart.history.caption", "Cases opened per year, by type"},
    {"chart.history.caption_years", "Cases opened per year, by type, $0"},  // $0 the years
    {"chart.history.value_axis", "Cases opened"},
    {"chart.history.category_axis", "Year"},
    {"chart.history.empty", "No cases in these years"},
    // $0 year, $1 abandonment, $2 foreign divorce recognition (figures in words).
    {"chart.history.aria_year", "$0: abandonment $1, foreign divorce recognition $2"},
    {"chart.outcomes.caption", "Cases resolved in $0, by outcome"},
    {"chart.outcomes.value_axis", "Cases resolved"},
    {"chart.outcomes.category_axis", "Outcome"},
    {"chart.outcomes.series", "Cases resolved"},
    {"chart.outcomes.empty", "No cases in this period"},
    {"chart.recognition.caption",
     "Foreign divorce recognition cases opened in $0: recognition granted, refused or pending"},
    {"chart.recognition.value_axis", "Cases opened"},
    {"chart.recognition.category_axis", "Decision"},
    {"chart.recognition.granted", "Granted"},
    {"chart.recognition.refused", "Refused"},
    {"chart.recognition.pending", "Pending"},
    {"chart.recognition.empty", "No cases in this period"},
    {"chart.age_groups.caption", "Cases opened in $0, by age group at opening"},
    {"chart.age_groups.value_axis", "Cases opened"},
    {"chart.age_groups.category_axis", "Age group"},
    {"chart.age_groups.series", "Cases opened"},
    {"chart.age_groups.empty", "No cases in this period"},
    {"chart.contacts.caption", "Cases with contacts with partners in $0, by kind of partner"},
    {"chart.contacts.value_axis", "Cases"},
    {"chart.contacts.category_axis", "Partner kind"},
    {"chart.contacts.series", "Cases with contacts"},
    {"chart.contacts.empty", "No cases with contacts in this period"},

    // Tables. "breakdown.title": $0 measure title, $1 dimension heading.
    {"tables.heading", "Figures in detail"},
    {"tables.no_breakdowns", "No breakdowns are available for this period."},
    {"table.no_categories", "No categories"},
    {"table.total", "Total"},
    {"breakdown.title", "$0 $1"},
    {"measure.MEASURE_CASES_OPENED", "Cases opened"},
    {"measure.MEASURE_CASES_RESOLVED", "Cases resolved"},
    {"measure.MEASURE_CASES_UNRESOLVED", "Cases unresolved at the end of the period"},
    {"measure.MEASURE_CONTACTS", "Cases with contacts with partners"},
    {"measure.other", "Figures"},
    {"measure_unit.MEASURE_CONTACTS", "Cases"},
    // The overlap year of a change of counting definitions: the contacts as the previous
    // definitions counted them beside the current figures. $0 the previous version, $1 the
    // current one; "previous.title": $0 the current version, $1 the previous, $2 the dimension
    // heading; "previous.column_*": $0 a version.
    {"previous.heading", "Contacts under definitions $0, beside definitions $1"},
    {"previous.note",
     "Definitions $0 counted every contact with partners; definitions $1 count the cases with a "
     "contact, each once. In this overlap year both are shown side by side. A figure of contacts "
     "is not shown when the cases behind it are too few, however many contacts they had."},
    {"previous.title", "Definitions $0 and $1 $2"},
    {"previous.column_now", "Cases with contacts (definitions $0)"},
    {"previous.column_then", "Contacts (definitions $0)"},
    {"measure_unit.other", "Cases"},
    // Each dimension: the heading after the measure ("Cases opened by case type") and the header
    // of the category column. An unknown dimension: "by $0", $0 its name in words.
    {"dimension.other.heading", "by $0"},
    {"dimension.DIMENSION_CASE_TYPE.heading", "by case type"},
    {"dimension.DIMENSION_CASE_TYPE.column", "Case type"},
    {"dimension.DIMENSION_STATUS.heading", "by status now"},
    {"dimension.DIMENSION_STATUS.column", "Status now"},
    {"dimension.DIMENSION_OUTCOME.heading", "by outcome"},
    {"dimension.DIMENSION_OUTCOME.column", "Outcome"},
    {"dimension.DIMENSION_AGE_GROUP.heading", "by age group at opening"},
    {"dimension.DIMENSION_AGE_GROUP.column", "Age group"},
    {"dimension.DIMENSION_MOTHER_WITH_MINOR_CHILDREN.heading",
     "by whether the person is a mother of minor children"},
    {"dimension.DIMENSION_MOTHER_WITH_MINOR_CHILDREN.column", "Mother of minor children"},
    {"dimension.DIMENSION_SEX.heading", "by sex"},
    {"dimension.DIMENSION_SEX.column", "Sex"},
    {"dimension.DIMENSION_NATIONALITY_STATUS.heading", "by nationality status"},
    {"dimension.DIMENSION_NATIONALITY_STATUS.column", "Nationality status"},
    {"dimension.DIMENSION_REFERRAL_SOURCE.heading", "by referral source"},
    {"dimension.DIMENSION_REFERRAL_SOURCE.column", "Referred by"},
    {"dimension.DIMENSION_RISK_FLAG.heading", "by risk flag"},
    {"dimension.DIMENSION_RISK_FLAG.column", "Risk flag"},
    {"dimension.DIMENSION_MONTH.heading", "by month"},
    {"dimension.DIMENSION_MONTH.column", "Month"},
    {"dimension.DIMENSION_RECOGNITION_DECISION.heading", "by recognition decision"},
    {"dimension.DIMENSION_RECOGNITION_DECISION.column", "Recognition decision"},
    {"dimension.DIMENSION_RECOGNITION_OBSTACLE.heading", "by recognition obstacle"},
    {"dimension.DIMENSION_RECOGNITION_OBSTACLE.column", "Obstacle"},
    {"dimension.DIMENSION_PARTNER_KIND.heading", "by partner kind"},
    {"dimension.DIMENSION_PARTNER_KIND.column", "Partner kind"},
    {"dimension.DIMENSION_CONTACT_PURPOSE.heading", "by contact purpose"},
    {"dimension.DIMENSION_CONTACT_PURPOSE.column", "Purpose"},
    {"dimension.DIMENSION_CHILDREN.heading", "by number of children"},
    {"dimension.DIMENSION_CHILDREN.column", "Children"},
    {"dimension.DIMENSION_RETURN_FUNDING.heading", "by who paid for the return"},
    {"dimension.DIMENSION_RETURN_FUNDING.column", "Return paid by"},
    {"dimension.DIMENSION_RECOGNITION_STAGE.heading", "by stage of the foreign proceedings"},
    {"dimension.DIMENSION_RECOGNITION_STAGE.column", "Furthest stage reached"},
    {"breakdown_note.DIMENSION_RISK_FLAG",
     "A case counts under each of its risk flags, so the rows do not add up to the total; the "
     "total is the number of cases."},
    {"breakdown_note.DIMENSION_RECOGNITION_OBSTACLE",
     "Over the foreign divorce recognition cases opened in the period. A case counts under each "
     "obstacle named, so the rows do not add up to the total."},
    {"breakdown_note.DIMENSION_RECOGNITION_DECISION",
     "Over the foreign divorce recognition cases opened in the period; the decision as it stands "
     "now."},
    {"breakdown_note.DIMENSION_RECOGNITION_STAGE",
     "Over the foreign divorce recognition cases opened in the period; the furthest stage the "
     "foreign proceedings had reached when the case was last changed. A hearing still to come "
     "does not count."},
    {"breakdown_note.DIMENSION_CHILDREN",
     "Over the abandonment cases opened in the period; the children on the case as it stands "
     "now. Not counted: cases not changed since the statistics began to count children."},
    {"breakdown_note.DIMENSION_RETURN_FUNDING",
     "Over the cases resolved in the period with a return to the Netherlands; who paid for the "
     "return, as recorded now."},
    {"breakdown_note.DIMENSION_STATUS",
     "The status of the cases now, not at the end of the period."},
    {"breakdown_note.DIMENSION_MOTHER_WITH_MINOR_CHILDREN", "Yes: a woman with children under 18."},
    {"history.title", "Cases opened per year, by case type"},
    {"history.not_available", "Not available."},
    {"history.year", "Year"},

    // Categories of the breakdowns, by their proto enum names; the fallback for any other
    // *_UNSPECIFIED category.
    {"category_fallback.unspecified", "Not recorded"},
    {"category.CASE_TYPE_ABANDONMENT", "Abandonment"},
    {"category.CASE_TYPE_FOREIGN_DIVORCE_RECOGNITION", "Foreign divorce recognition"},
    {"category.CASE_STATUS_INTAKE", "Intake"},
    {"category.CASE_STATUS_ACTIVE", "Active"},
    {"category.CASE_STATUS_ON_HOLD", "On hold"},
    {"category.CASE_STATUS_RESOLVED", "Resolved"},
    {"category.CASE_STATUS_CLOSED", "Closed"},
    {"category.OUTCOME_RETURNED_TO_NL", "Returned to the Netherlands"},
    {"category.OUTCOME_STAYED_BY_OWN_CHOICE", "Stayed by own choice"},
    {"category.OUTCOME_RETURN_NOT_POSSIBLE", "Return not possible"},
    {"category.OUTCOME_CONTACT_LOST", "Contact lost"},
    {"category.OUTCOME_REFERRED_ELSEWHERE", "Referred elsewhere"},
    {"category.OUTCOME_WITHDRAWN", "Withdrawn"},
    {"category.OUTCOME_RECOGNISED", "Divorce recognised"},
    {"category.OUTCOME_REFUSED", "Recognition refused"},
    {"category.OUTCOME_ALTERNATIVE_SOLUTION", "Alternative solution"},
    {"category.OUTCOME_PROCEEDINGS_ABANDONED", "Proceedings abandoned"},
    {"category.AGE_GROUP_MINOR", "Minor (under 18)"},
    {"category.AGE_GROUP_YOUNG_ADULT", "Young adult (18\u201323)"},
    {"category.AGE_GROUP_ADULT", "Adult (24+)"},
    {"category.AGE_GROUP_UNKNOWN", "Unknown"},
    {"category.YES", "Yes"},
    {"category.NO", "No"},
    {"category.SEX_FEMALE", "Female"},
    {"category.SEX_MALE", "Male"},
    {"category.SEX_X", "X (neither female nor male)"},
    {"category.SEX_UNKNOWN", "Unknown"},
    {"category.NATIONALITY_STATUS_DUTCH_ONLY", "Dutch only"},
    {"category.NATIONALITY_STATUS_DUAL", "Dutch and another nationality"},
    {"category.NATIONALITY_STATUS_RESIDENCE_PERMIT", "Dutch residence permit, not Dutch"},
    {"category.REFERRAL_SOURCE_SELF", "The person themselves"},
    {"category.REFERRAL_SOURCE_FAMILY", "Family"},
    {"category.REFERRAL_SOURCE_LKHA", "LKHA (national expertise centre)"},
    {"category.REFERRAL_SOURCE_SCHOOL", "School"},
    {"category.REFERRAL_SOURCE_POLICE", "Police"},
    {"category.REFERRAL_SOURCE_NGO", "Non-governmental organisation"},
    {"category.REFERRAL_SOURCE_OTHER_POST", "Another post"},
    {"category.REFERRAL_SOURCE_OTHER", "Other"},
    {"category.RISK_FLAG_FORCED_MARRIAGE", "Forced marriage"},
    {"category.RISK_FLAG_MARITAL_CAPTIVITY", "Marital captivity"},
    {"category.RISK_FLAG_MINOR_INVOLVED", "Minor involved"},
    {"category.RISK_FLAG_CHILDREN_WITH_PERSON", "Children with the person"},
    {"category.RISK_FLAG_PASSPORT_WITHHELD", "Passport withheld"},
    {"category.RISK_FLAG_RESIDENCE_PERMIT_AT_RISK", "Residence permit at risk"},
    {"category.RISK_FLAG_HONOUR_VIOLENCE_THREAT", "Threat of honour-based violence"},
    {"category.RISK_FLAG_FGM_RISK", "Risk of female genital mutilation"},
    {"category.RISK_FLAG_PREGNANCY", "Pregnancy"},
    {"category.RECOGNITION_DECISION_GRANTED", "Granted"},
    {"category.RECOGNITION_DECISION_REFUSED", "Refused"},
    {"category.RECOGNITION_DECISION_UNSPECIFIED", "Pending (no decision yet)"},
    {"category.RECOGNITION_OBSTACLE_SPOUSE_CONSENT_DEMANDED", "Spouse\u2019s consent demanded"},
    {"category.RECOGNITION_OBSTACLE_RELIGIOUS_DIVORCE_DEMANDED", "Religious divorce demanded"},
    {"category.RECOGNITION_OBSTACLE_DOCUMENT_LEGALISATION", "Legalisation of documents"},
    {"category.RECOGNITION_OBSTACLE_COST", "Cost"},
    {"category.RECOGNITION_OBSTACLE_NO_LAWYER_AVAILABLE", "No lawyer available"},
    {"category.RECOGNITION_OBSTACLE_OTHER", "Other"},
    {"category.PROCEEDINGS_STAGE_DOCUMENTS_GATHERED", "Documents gathered"},
    {"category.PROCEEDINGS_STAGE_DOCUMENTS_LEGALISED", "Documents legalised"},
    {"category.PROCEEDINGS_STAGE_FILED", "Filed with the court"},
    {"category.PROCEEDINGS_STAGE_HEARING", "Hearing held"},
    {"category.PROCEEDINGS_STAGE_DECISION", "Decision given"},
    {"category.PROCEEDINGS_STAGE_APPEAL", "Appeal"},
    {"category.PROCEEDINGS_STAGE_UNSPECIFIED", "None recorded"},
    {"category.CHILDREN_NONE", "No children"},
    {"category.CHILDREN_ONE", "One child"},
    {"category.CHILDREN_TWO", "Two children"},
    {"category.CHILDREN_THREE_OR_MORE", "Three or more children"},
    {"category.CHILDREN_UNKNOWN", "Not counted"},
    {"category.RETURN_FUNDING_OWN_MEANS", "Own means"},
    {"category.RETURN_FUNDING_FAMILY", "Family"},
    {"category.RETURN_FUNDING_CONSULAR_LOAN", "Consular loan"},
    {"category.RETURN_FUNDING_OTHER", "Other"},
    {"category.RETURN_FUNDING_UNSPECIFIED", "Not recorded"},
    {"category.PARTNER_KIND_LAWYER", "Lawyer"},
    {"category.PARTNER_KIND_AID_ORGANISATION", "Aid organisation"},
    {"category.PARTNER_KIND_SHELTER", "Shelter"},
    {"category.PARTNER_KIND_LOCAL_AUTHORITY", "Local authority"},
    {"category.PARTNER_KIND_MEDICAL", "Medical"},
    {"category.PARTNER_KIND_OTHER", "Other"},
    {"category.CONTACT_PURPOSE_LEGAL_ADVICE", "Legal advice"},
    {"category.CONTACT_PURPOSE_COURT_REPRESENTATION", "Court representation"},
    {"category.CONTACT_PURPOSE_SHELTER", "Shelter"},
    {"category.CONTACT_PURPOSE_DOCUMENTS", "Documents"},
    {"category.CONTACT_PURPOSE_MEDIATION", "Mediation"},
    {"category.CONTACT_PURPOSE_MEDICAL", "Medical care"},
    {"category.CONTACT_PURPOSE_RETURN_TRAVEL", "Return travel"},
    {"category.CONTACT_PURPOSE_OTHER", "Other"},

    // Bilateral talks. "talks.title": $0 date, $1 level; "talks.due": $0 the due date.
    {"talks.heading", "Bilateral talks"},
    {"talks.none", "No talks recorded."},
    {"talks.title", "$0 \u2014 $1"},
    {"talks.date_not_recorded", "Date not recorded"},
    {"talks.level", "Level"},
    {"talks.topics", "Topics"},
    {"talks.summary", "Summary"},
    {"talks.outcome", "Outcome"},
    {"talks.follow_up", "Follow-up"},
    {"talks.none_recorded", "None recorded"},
    {"talks.due", "(due $0)"},
    {"talk_level.TALK_LEVEL_MINISTERIAL", "Ministerial"},
    {"talk_level.TALK_LEVEL_AMBASSADOR", "Ambassador"},
    {"talk_level.TALK_LEVEL_OFFICIAL", "Officials"},
    {"talk_level.unspecified", "Level not recorded"},
    {"talk_topic.TALK_TOPIC_ABANDONMENT", "Abandonment"},
    {"talk_topic.TALK_TOPIC_DIVORCE_RECOGNITION", "Divorce recognition"},
    {"talk_topic.TALK_TOPIC_FORCED_MARRIAGE", "Forced marriage"},
    {"talk_topic.TALK_TOPIC_CONSULAR_ACCESS", "Consular access"},
    {"talk_topic.TALK_TOPIC_DUAL_NATIONALITY", "Dual nationality"},
    {"talk_topic.TALK_TOPIC_CHILD_PROTECTION", "Child protection"},
    {"talk_topic.TALK_TOPIC_OTHER", "Other"},
    {"talk_topic.unspecified", "Not recorded"},

    // How small numbers are protected. $0 the largest count not shown, $1 the mark, $2 the
    // threshold.
    {"note.heading", "How small numbers are protected"},
    {"note.threshold",
     "So that no one can be recognised from these figures, counts from 1 to $0 are not shown. Nor "
     "are the figures that would let such a count be worked out from a total, from the other "
     "categories or from other periods."},
    {"note.mark",
     "A figure that is not shown is marked \u201c$1\u201d with an asterisk (*) in the tables and "
     "drawn in the charts as a short, hatched bar with a dashed outline, labelled \u201c$1\u201d. "
     "It is never shown as 0. It may stand for a count from 1 to $0 or for a larger figure "
     "withheld because it would reveal such a count. A 0 is a real zero."},
    {"note.median",
     "The median days to resolution is not shown when fewer than $2 cases were resolved in the "
     "period."},
    {"note.rounded",
     "Every figure shown has been rounded to the nearest multiple of 5, so a total may differ "
     "from the sum of its parts."},
    {"note.not_rounded", "Figures are not rounded."},
};

}  // namespace

DossierMessages::DossierMessages(std::string language,
                                 std::vector<std::pair<std::string, std::string>> texts)
    : language_(std::move(language)) {
  for (auto& [id, text] : texts) texts_.insert_or_assign(std::move(id), std::move(text));
}

const DossierMessages& DossierMessages::English() {
  static const DossierMessages* const english = [] {
    std::vector<std::pair<std::string, std::string>> texts;
    for (const Message& message : kEnglish) texts.emplace_back(message.id, message.text);
    return new DossierMessages("en", std::move(texts));
  }();
  return *english;
}

bool DossierMessages::Has(absl::string_view id) const { return texts_.contains(id); }

absl::string_view DossierMessages::Text(absl::string_view id) const {
  const auto it = texts_.find(id);
  return it == texts_.end() ? id : absl::string_view(it->second);
}

std::vector<std::string> DossierMessages::Ids() const {
  std::vector<std::string> ids;
  ids.reserve(texts_.size());
  for (const auto& [id, text] : texts_) ids.push_back(id);
  std::sort(ids.begin(), ids.end());
  return ids;
}

}  // namespace consular::stats
