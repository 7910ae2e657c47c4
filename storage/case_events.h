#pragma once

#include <string>

#include "consular/v1/cases.pb.h"

// How a case event is stored in cases.case_events (migration 0001): the case service writes it
// (CaseStore::AppendEvent) and consular-datagen's bulk loader writes the same rows with COPY.
namespace consular::storage {

// The payload column of `event`: the consular.v1.CaseEvent as protobuf's JSON (proto field names,
// fields at their default left out, 64-bit integers as strings) without its reason, which is
// personal and stored sealed in a column of its own (ReasonAd, storage/case_sealing.h). Throws
// std::runtime_error when the event does not convert.
std::string EventPayload(const consular::v1::CaseEvent& event);

}  // namespace consular::storage
