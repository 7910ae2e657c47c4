#pragma once

#include <string>

#include "consular/v1/common.pb.h"

namespace consular {

// The unit name of the national expertise centre: LKHA caseworkers work the cases it handles and
// those shared with it. Reserved: no post may carry this code.
inline constexpr char kLkhaUnit[] = "LKHA";

// Who is calling, as established from a verified bearer token, and why. Never built from request
// fields.
struct Identity {
  std::string subject;  // the token's "sub": a stable staff identifier
  consular::v1::Role role = consular::v1::ROLE_UNSPECIFIED;
  std::string post;  // the caller's post code (e.g. "RABAT"); empty for roles without a post
  // The purpose the call states (access_purpose.h: "x-access-purpose" metadata, not the token);
  // empty when it states none.
  std::string purpose = {};
};

// True for the roles that work at a post: consular officers and post managers.
inline bool IsPostRole(consular::v1::Role role) {
  return role == consular::v1::ROLE_CONSULAR_OFFICER || role == consular::v1::ROLE_POST_MANAGER;
}

// The unit whose cases `who` handles: the post of a consular officer or post manager, "LKHA"
// (kLkhaUnit) for an LKHA caseworker; empty for every other role.
inline std::string UnitOf(const Identity& who) {
  if (IsPostRole(who.role)) return who.post == kLkhaUnit ? std::string() : who.post;
  if (who.role == consular::v1::ROLE_LKHA_CASEWORKER) return kLkhaUnit;
  return std::string();
}

}  // namespace consular
