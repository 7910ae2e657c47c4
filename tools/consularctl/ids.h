#pragma once

#include <string>

namespace consular::ctl {

// A fresh random UUID version 4, lower case ("0b7c...-4...-[89ab]..."), used as
// the request_id of a mutation when the user gives none.
std::string NewRequestId();

}  // namespace consular::ctl
