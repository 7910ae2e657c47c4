#include <pqxx/pqxx>
#include <string>

#include "absl/strings/str_cat.h"
#include "tools/datagen/bulk_load.h"

// CheckLoadedFacts (bulk_load.h): the facts the loader wrote into each case's and contact's last
// event, compared by the database with its own cases.statistical_facts_of and
// contacts.statistical_facts_of.
namespace consular::datagen {

absl::StatusOr<int64_t> CheckLoadedFacts(const std::string& owner_dsn) {
  try {
    pqxx::connection connection(owner_dsn);
    pqxx::nontransaction tx(connection);
    const int64_t cases =
        tx.exec1(
              "WITH last AS (SELECT DISTINCT ON (case_id) case_id, facts FROM cases.case_events "
              "              ORDER BY case_id, sequence DESC) "
              "SELECT count(*) FROM cases.cases c LEFT JOIN last l ON l.case_id = c.id "
              "WHERE (l.facts - 'contact') IS DISTINCT FROM cases.statistical_facts_of(c)")[0]
            .as<int64_t>();
    const int64_t contacts =
        tx.exec1(
              "WITH last AS (SELECT DISTINCT ON (payload ->> 'contact_id') "
              "                     (payload ->> 'contact_id')::uuid AS contact_id, "
              "                     facts -> 'contact' AS contact "
              "                FROM cases.case_events "
              "               WHERE event_type IN ('CASE_EVENT_TYPE_CONTACT_LOGGED', "
              "                                    'CASE_EVENT_TYPE_CONTACT_UPDATED', "
              "                                    'CASE_EVENT_TYPE_FOLLOW_UP_COMPLETED') "
              "               ORDER BY payload ->> 'contact_id', id DESC) "
              "SELECT count(*) FROM contacts.contacts k LEFT JOIN last l ON l.contact_id = k.id "
              "WHERE l.contact IS DISTINCT FROM contacts.statistical_facts_of(k)")[0]
            .as<int64_t>();
    return cases + contacts;
  } catch (const std::exception& e) {
    return absl::InternalError(absl::StrCat("checking the loaded facts: ", e.what()));
  }
}

}  // namespace consular::datagen
