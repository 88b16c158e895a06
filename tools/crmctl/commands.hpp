// crmctl's commands. Each registers itself on the CLI11 app from its own file (add_*_command):
// its options, help text and what it does once the database is open. main.cpp lists them.
#pragma once

#include <crm/crm.hpp>

#include <CLI/CLI.hpp>

#include <functional>
#include <stdexcept>
#include <string>
#include <string_view>

namespace crmctl {

/// Exit codes (documented in --help).
enum Exit : int {
    ok = 0,             ///< done; every row imported
    rows_rejected = 1,  ///< import-leads: some rows were rejected (the report lists them)
    usage = 2,          ///< bad command line, input file or input header
    failure = 3,        ///< the database or the library failed, or the output could not be written
};

/// A command-line mistake found by a command: printed with the command's usage line, exit code 2.
struct UsageError : std::runtime_error {
    using std::runtime_error::runtime_error;
};

/// An output that cannot be written (an --output in a missing folder, a full disk): exit code 3,
/// without the usage line, since the command line was right.
struct OutputError : std::runtime_error {
    using std::runtime_error::runtime_error;
};

/// What every command works on: the service and its trusted principal.
struct Context {
    crm::Service& service;
    crm::Principal system = crm::Principal::system();
};

/// A subcommand as add_command() registers it.
struct CommandSpec {
    const char* name;
    const char* synopsis;  ///< the usage line after "crmctl [--database URL] "
    const char* summary;   ///< one line, listed by crmctl --help
    std::string help;      ///< what crmctl NAME --help explains above the options
    /// Runs once the command line is parsed and the database open (and migrated, unless
    /// `creates_database`). Options are bound to variables the closure shares.
    std::function<int(Context&)> run;
    bool creates_database = false;  ///< migrate: a missing SQLite file is made, the schema may be old
    /// Instead of `run`, for commands that open their own databases (dump, restore, copy,
    /// adopt): runs with the --database URL (or its default) without opening it.
    std::function<int(const std::string& database_url)> run_unopened{};
};

/// Adds the subcommand to `crmctl` and returns it, for the caller to add its options to.
CLI::App& add_command(CLI::App& crmctl, CommandSpec spec);

/// The top-level app: --database, --version, --help, the help layout and the error messages.
[[nodiscard]] CLI::App& make_app();
/// Parses the command line, opens the database and runs the chosen command; returns the exit code.
[[nodiscard]] int run(CLI::App& crmctl, int argc, char** argv);

// The commands, each in its own file.
void add_migrate_command(CLI::App&);         // users.cpp
void add_create_user_command(CLI::App&);     // users.cpp
void add_set_role_command(CLI::App&);        // users.cpp
void add_reset_password_command(CLI::App&);  // users.cpp
void add_list_users_command(CLI::App&);      // users.cpp
void add_import_command(CLI::App&);          // import.cpp
void add_export_command(CLI::App&);          // export.cpp

/// A database URL without its password, to name the database in messages.
[[nodiscard]] std::string redacted(std::string url);

/// Checks that an option's value is not empty (CLI11 takes `--email ""` as given).
[[nodiscard]] const CLI::Validator& non_empty();

/// "field message; field message" from an Error's field errors (its message when it has none).
[[nodiscard]] std::string describe(const crm::Error& e);

/// A value from the user's data for a message: quoted, control characters escaped (a report is one
/// line, and a terminal must not run escape sequences from a file), cut after 60 bytes at a
/// character boundary. A field whose name says it holds a secret (password, secret, token, hash)
/// is never shown: "(not shown)".
[[nodiscard]] std::string shown_value(std::string_view field, std::string_view value);

}  // namespace crmctl
