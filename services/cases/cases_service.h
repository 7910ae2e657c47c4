#pragma once

#include "consular/v1/cases.grpc.pb.h"
#include "services/cases/case_manager.h"
#include "services/common/unary_call.h"

namespace consular::cases {

// The gRPC face of CaseManager: authenticates each call, hands it to the worker pool, and maps
// the result to a gRPC status. No logic of its own.
class CasesService final : public consular::v1::CaseService::CallbackService {
 public:
  CasesService(CaseManager* manager, CallEnvironment env) : manager_(manager), env_(env) {}

  grpc::ServerUnaryReactor* CreateCase(grpc::CallbackServerContext* ctx,
                                       const consular::v1::CreateCaseRequest* request,
                                       consular::v1::Case* response) override;
  grpc::ServerUnaryReactor* GetCase(grpc::CallbackServerContext* ctx,
                                    const consular::v1::GetCaseRequest* request,
                                    consular::v1::Case* response) override;
  grpc::ServerUnaryReactor* ListCases(grpc::CallbackServerContext* ctx,
                                      const consular::v1::ListCasesRequest* request,
                                      consular::v1::ListCasesResponse* response) override;
  grpc::ServerUnaryReactor* UpdateCase(grpc::CallbackServerContext* ctx,
                                       const consular::v1::UpdateCaseRequest* request,
                                       consular::v1::Case* response) override;
  grpc::ServerUnaryReactor* TransitionCase(grpc::CallbackServerContext* ctx,
                                           const consular::v1::TransitionCaseRequest* request,
                                           consular::v1::Case* response) override;
  grpc::ServerUnaryReactor* AddCaseNote(grpc::CallbackServerContext* ctx,
                                        const consular::v1::AddCaseNoteRequest* request,
                                        consular::v1::CaseNote* response) override;
  grpc::ServerUnaryReactor* ListCaseNotes(grpc::CallbackServerContext* ctx,
                                          const consular::v1::ListCaseNotesRequest* request,
                                          consular::v1::ListCaseNotesResponse* response) override;
  grpc::ServerUnaryReactor* ListCaseEvents(grpc::CallbackServerContext* ctx,
                                           const consular::v1::ListCaseEventsRequest* request,
                                           consular::v1::ListCaseEventsResponse* response) override;
  grpc::ServerUnaryReactor* SearchCases(grpc::CallbackServerContext* ctx,
                                        const consular::v1::SearchCasesRequest* request,
                                        consular::v1::SearchCasesResponse* response) override;

  grpc::ServerUnaryReactor* ShareCase(grpc::CallbackServerContext* ctx,
                                      const consular::v1::ShareCaseRequest* request,
                                      consular::v1::CaseShare* response) override;
  grpc::ServerUnaryReactor* RevokeShare(grpc::CallbackServerContext* ctx,
                                        const consular::v1::RevokeShareRequest* request,
                                        consular::v1::CaseShare* response) override;
  grpc::ServerUnaryReactor* ListShares(grpc::CallbackServerContext* ctx,
                                       const consular::v1::ListSharesRequest* request,
                                       consular::v1::ListSharesResponse* response) override;
  grpc::ServerUnaryReactor* ReferCase(grpc::CallbackServerContext* ctx,
                                      const consular::v1::ReferCaseRequest* request,
                                      consular::v1::Case* response) override;
  grpc::ServerUnaryReactor* OpenEmergencyAccess(
      grpc::CallbackServerContext* ctx, const consular::v1::OpenEmergencyAccessRequest* request,
      consular::v1::EmergencyAccess* response) override;
  grpc::ServerUnaryReactor* ListEmergencyAccess(
      grpc::CallbackServerContext* ctx, const consular::v1::ListEmergencyAccessRequest* request,
      consular::v1::ListEmergencyAccessResponse* response) override;
  grpc::ServerUnaryReactor* ReviewEmergencyAccess(
      grpc::CallbackServerContext* ctx, const consular::v1::ReviewEmergencyAccessRequest* request,
      consular::v1::EmergencyAccess* response) override;

 private:
  CaseManager* manager_;
  CallEnvironment env_;
};

}  // namespace consular::cases
