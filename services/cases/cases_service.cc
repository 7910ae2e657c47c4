#include "services/cases/cases_service.h"

namespace consular::cases {

// Each method forwards to the CaseManager method of the same meaning on a worker thread.
#define CONSULAR_FORWARD(Method, Request, Response, ManagerMethod)                          \
  grpc::ServerUnaryReactor* CasesService::Method(grpc::CallbackServerContext* ctx,          \
                                                 const consular::v1::Request* request,      \
                                                 consular::v1::Response* response) {        \
    return ServeUnary(ctx, env_,                                                            \
                      [this, request, response](const Identity& who, absl::Time deadline) { \
                        return manager_->ManagerMethod(who, *request, deadline, response);  \
                      });                                                                   \
  }

CONSULAR_FORWARD(CreateCase, CreateCaseRequest, Case, Create)
CONSULAR_FORWARD(GetCase, GetCaseRequest, Case, Get)
CONSULAR_FORWARD(ListCases, ListCasesRequest, ListCasesResponse, List)
CONSULAR_FORWARD(UpdateCase, UpdateCaseRequest, Case, Update)
CONSULAR_FORWARD(TransitionCase, TransitionCaseRequest, Case, Transition)
CONSULAR_FORWARD(AddCaseNote, AddCaseNoteRequest, CaseNote, AddNote)
CONSULAR_FORWARD(ListCaseNotes, ListCaseNotesRequest, ListCaseNotesResponse, ListNotes)
CONSULAR_FORWARD(ListCaseEvents, ListCaseEventsRequest, ListCaseEventsResponse, ListEvents)
CONSULAR_FORWARD(SearchCases, SearchCasesRequest, SearchCasesResponse, Search)
CONSULAR_FORWARD(ShareCase, ShareCaseRequest, CaseShare, Share)
CONSULAR_FORWARD(RevokeShare, RevokeShareRequest, CaseShare, RevokeShare)
CONSULAR_FORWARD(ListShares, ListSharesRequest, ListSharesResponse, ListShares)
CONSULAR_FORWARD(ReferCase, ReferCaseRequest, Case, Refer)
CONSULAR_FORWARD(OpenEmergencyAccess, OpenEmergencyAccessRequest, EmergencyAccess,
                 OpenEmergencyAccess)
CONSULAR_FORWARD(ListEmergencyAccess, ListEmergencyAccessRequest, ListEmergencyAccessResponse,
                 ListEmergencyAccess)
CONSULAR_FORWARD(ReviewEmergencyAccess, ReviewEmergencyAccessRequest, EmergencyAccess,
                 ReviewEmergencyAccess)

#undef CONSULAR_FORWARD

}  // namespace consular::cases
