// crmctl's commands: each parses its own options and acts as the system principal.
#pragma once

#include <crm/crm.hpp>

#include <map>
#include <stdexcept>
#include <string>
#include <vector>

namespace crmctl {

/// Exit codes (documented in --help).
enum Exit : int {
    ok = 0,             ///< done; every row imported
    rows_rejected = 1,  ///< import-leads: some rows were rejected (the report lists them)
    usage = 2,          ///< bad command line, input file or input header
    failure = 3,        ///< the database or the library failed, or the output could not be written
};

/// A command-line mistake: printed with the command's usage, exit code 2.
struct UsageError : std::runtime_error {
    using std::runtime_error::runtime_error;
};

/// `--name value` options and `--switch`es after the command, plus positional arguments.
struct Options {
    std::map<std::string, std::string> named;  ///< a switch maps to ""
    std::vector<std::string> positional;
    /// The value of an option that must be given and not be empty.
    [[nodiscard]] std::string required(const std::string& name) const;
    [[nodiscard]] std::string get(const std::string& name, const std::string& fallback) const;
    [[nodiscard]] bool has(const std::string& name) const { return named.count(name) > 0; }
};

/// What every command works on: the service and its trusted principal.
struct Context {
    crm::Service& service;
    crm::Principal system = crm::Principal::system();
};

struct Command {
    const char* name;
    const char* synopsis;               ///< the usage line after "crmctl"
    std::string help;                   ///< what it does, options explained
    std::vector<std::string> options;   ///< the --options it accepts, each taking a value
    std::vector<std::string> switches;  ///< the --switches it accepts (no value)
    std::size_t max_positional;         ///< how many positional arguments it takes at most
    int (*run)(Context&, const Options&);
};

/// Every command, in --help order.
[[nodiscard]] const std::vector<Command>& commands();

// The commands (users.cpp, import.cpp, export.cpp).
int migrate(Context&, const Options&);
int create_user(Context&, const Options&);
int set_role(Context&, const Options&);
int reset_password(Context&, const Options&);
int list_users(Context&, const Options&);
int import_leads(Context&, const Options&);
int export_leads(Context&, const Options&);

/// "field message; field message" from an Error's field errors (its message when it has none).
[[nodiscard]] std::string describe(const crm::Error& e);

}  // namespace crmctl
