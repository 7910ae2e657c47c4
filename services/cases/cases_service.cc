#include "services/cases/cases_service.h"

namespace consular::cases {

// Each method forwards to the CaseManager method of the same meaning on a worker thread.
#define CONSULAR_FORWARD(Method, Request, Response, ManagerMethod)                          \
  grpc::ServerUnaryReactor* CasesService::Method(grpc::CallbackServerContext* ctx,         \
                                                 const consular::v1::Request* request,     \
                                                 consular::v1::Response* response) {       \
    return ServeUnary(ctx, env_, [this, request, response](const Identity& who,            \
                                                           absl::Time deadline) {          \
      return manager_->ManagerMethod(who, *request, deadline, response);                   \
    });                                                                                    \
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

#undef CONSULAR_FORWARD

}  // namespace consular::cases
