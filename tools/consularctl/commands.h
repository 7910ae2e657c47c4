#pragma once

#include <functional>
#include <string>

#include "CLI/CLI.hpp"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "tools/consularctl/client.h"

namespace consular::ctl {

// What to run once the command line has parsed; returns the process exit code.
using Action = std::function<int()>;

// Registers `case` and its subcommands (create, get, list, find, update, transition,
// note, notes, events, share, unshare, shares, refer) on `app`. When one of them is parsed, its
// action is stored in *action; it reads the global options from *global when it runs. Both pointers
// must outlive parsing and the action.
void AddCaseCommands(CLI::App* app, const GlobalOptions* global,
                     Action* action);

// Registers share, unshare, shares and refer on `cases` (the `case` command); see AddCaseCommands,
// which calls it.
void AddCaseSharingCommands(CLI::App* cases, const GlobalOptions* global, Action* action);

// Registers `emergency` and its subcommands (open, list, review) on `app`; see
// AddCaseCommands.
void AddEmergencyCommands(CLI::App* app, const GlobalOptions* global, Action* action);

// Registers `person` (add, update, remove) on `cases` (the `case` command); see AddCaseCommands.
void AddPersonCommands(CLI::App* cases, const GlobalOptions* global, Action* action);
// Registers `document` (add, update, remove) on `cases`; see AddCaseCommands.
void AddDocumentCommands(CLI::App* cases, const GlobalOptions* global, Action* action);
void AddStageCommands(CLI::App* cases, const GlobalOptions* global, Action* action);
// Registers `inbox` (and accept, decline) on `app` and `assign` on `cases`.
void AddInboxCommands(CLI::App* app, CLI::App* cases, const GlobalOptions* global, Action* action);

// Registers `retention` (schedules, set-schedule, lists, show, propose, review, process) and
// `hold` (place, lift, list) on `app`: RecordsService at the global --addr (consular-cases); see
// AddCaseCommands.
void AddRecordsCommands(CLI::App* app, const GlobalOptions* global, Action* action);
// Registers `sar` (request, answer, list, get) and `export` (request, answer, list, download) on
// `app`: ExportService at the global --addr; see AddCaseCommands.
void AddExportCommands(CLI::App* app, const GlobalOptions* global, Action* action);

// Registers `dev` and its subcommands (token) on `app`; see AddCaseCommands.
void AddDevCommands(CLI::App* app, Action* action);

// Registers `audit` and its subcommands (list, verify) on `app`; see AddCaseCommands. They call
// the AuditService at *audit_addr (the global --audit-addr) with the other global options.
void AddAuditCommands(CLI::App* app, const GlobalOptions* global,
                      const std::string* audit_addr, Action* action);

// Registers `partner` (add, list, show, update, vet, deactivate) on `app`; see AddCaseCommands.
// They call PartnerService at *contacts_addr (the global --contacts-addr) with the other global
// options.
void AddPartnerCommands(CLI::App* app, const GlobalOptions* global,
                        const std::string* contacts_addr, Action* action);

// The partner `text` names: a full id as it is, or the one partner in the directory (deactivated
// ones included) whose id begins with these 8 or more characters. INVALID_ARGUMENT naming `name`
// (the argument or flag) when there is none or more than one; a failed call's status otherwise.
absl::StatusOr<std::string> ResolvePartnerId(ContactsClient* client, const std::string& text,
                                             absl::string_view name);

// The talk `text` names: a full id as it is, or the one talk whose id begins with these 8 or more
// characters. INVALID_ARGUMENT naming TALK_ID when there is none or more than one.
absl::StatusOr<std::string> ResolveTalkId(StatsClient* client, const std::string& text);

// Registers `post` (add, list, show, accredit, unaccredit, close, reopen, update) on `app`: the register
// of units, through UnitService at *contacts_addr.
void AddUnitCommands(CLI::App* app, const GlobalOptions* global, const std::string* contacts_addr,
                     Action* action);

// Registers `contact` (log, list, due, done) on `app`; see AddCaseCommands. They call
// ContactService at *contacts_addr (the global --contacts-addr) with the other global options.
void AddContactCommands(CLI::App* app, const GlobalOptions* global,
                        const std::string* contacts_addr, Action* action);

// Registers `show` on the `case` command (AddCaseCommands first): the case from CaseService, its
// contacts from ContactService at *contacts_addr.
void AddCaseShow(CLI::App* app, const GlobalOptions* global, const std::string* contacts_addr,
                 Action* action);

// Registers `stats` (country, countries, series) and `report` (country) on `app`; see
// AddCaseCommands. They call consular-stats at *stats_addr (the global --stats-addr) with the other
// global options.
void AddStatsCommands(CLI::App* app, const GlobalOptions* global, const std::string* stats_addr,
                      Action* action);

// Registers `talk` (record, plan, held, postpone, replan, cancel, list, show, commit,
// close-commitment, commitments, unraised) and `decision` (record, list) on `app`; see
// AddStatsCommands.
void AddTalkCommands(CLI::App* app, const GlobalOptions* global, const std::string* stats_addr,
                     Action* action);

// Registers `briefing` (store, get) on `app`; see AddStatsCommands.
void AddBriefingCommands(CLI::App* app, const GlobalOptions* global, const std::string* stats_addr,
                         Action* action);

}  // namespace consular::ctl
