#pragma once

#include <string>

#include "consular/v1/statistics.pb.h"
#include "services/stats/dossier_messages.h"

namespace consular::stats {

// Returns the five charts of a dossier's HTML page, each a <figure class="chart-box"> with its
// caption and an inline <svg class="chart" data-chart="NAME">, NAME one of
// cases-per-year-by-type, outcomes, recognition, age-groups, contacts-by-partner-kind. A chart
// whose breakdown is missing says so; one whose figures are all zero says there is nothing to
// draw. `period_words` is the period as the page names it.
std::string DossierChartsHtml(const consular::v1::CountryDossier& dossier,
                              const DossierMessages& messages, const std::string& period_words);

}  // namespace consular::stats
