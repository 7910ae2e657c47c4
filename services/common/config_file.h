#pragma once

#include <CLI/CLI.hpp>

// Settings from a file instead of a long command line: --config FILE names a TOML file whose keys
// are the program's long flags without their dashes, with the same values:
//
//   listen = "0.0.0.0:50051"
//   dsn = "host=db.example.org dbname=consular user=consular_app"
//   pool-size = 16
//   reflection = false
//
// A setting on the command line wins over the file, the file over the environment variable, and
// that over the built-in default. A key that names no flag, a [section] and a flag that may not
// come from a file (help, config) are errors naming them, never ignored.
namespace consular {

// Adds --config FILE to `app` (call it before parsing, after or before adding the other flags).
void AddConfigFileFlag(CLI::App& app);

}  // namespace consular
