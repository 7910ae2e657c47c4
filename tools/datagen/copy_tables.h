#pragma once

#include <functional>
#include <pqxx/pqxx>
#include <string>
#include <vector>

#include "tools/datagen/bulk_load.h"
#include "tools/datagen/bulk_records.h"
#include "tools/datagen/row_encoders.h"

// The bulk loader's COPY of each table, row by row from the data set in memory, inside the
// caller's transaction (as the schema owner, with session_replication_role = replica). Without
// keys (`sealed` null) the encrypted columns hold DummyCiphertext(); with keys, the content is
// built here from the seed and sealed as the services seal it (storage/case_sealing.h).
namespace consular::datagen::bulk {

// Passes a line of progress to a sink, which may be empty.
class Progress {
 public:
  explicit Progress(const std::function<void(const std::string&)>& sink) : sink_(sink) {}
  void Say(const std::string& line) const {
    if (sink_) sink_(line);
  }

 private:
  const std::function<void(const std::string&)>& sink_;
};

// contacts.partners: the directory of every country.
void CopyPartners(pqxx::work& tx, const std::vector<PartnerRec>& partners,
                  const std::vector<CountryShare>& countries, const Sealed* sealed);
// cases.cases.
void CopyCases(pqxx::work& tx, const Data& d, const RowEncoder& w,
               const std::vector<CountryShare>& countries, const Sealed* sealed);
// cases.case_notes.
void CopyNotes(pqxx::work& tx, const Data& d, const RowEncoder& w, const Sealed* sealed);
// contacts.contacts.
void CopyContacts(pqxx::work& tx, const Data& d, const RowEncoder& w,
                  const std::vector<PartnerRec>& partners,
                  const std::vector<CountryShare>& countries, const Sealed* sealed);
// cases.case_events, ids 1, 2, 3 ... in commit order, with their payload and facts; says how far it
// got every million events.
void CopyEvents(pqxx::work& tx, const Data& d, const RowEncoder& w, const Sealed* sealed,
                const Progress& progress);

}  // namespace consular::datagen::bulk
