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
    usage = 2,          ///< bad command line or input file header
    failure = 3,        ///< the database or the library failed
};

/// A command-line mistake: printed with the command's usage, exit code 2.
struct UsageError : std::runtime_error {
    using std::runtime_error::runtime_error;
};

/// `--name value` options (and `--flag` switches) after the command, plus positional arguments.
struct Options {
    std::map<std::string, std::string> named;
    std::vector<std::string> positional;
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
    const char* synopsis;                        ///< the usage line after "crmctl"
    const char* help;                            ///< what it does, options explained
    std::vector<std::string> options;            ///< the --options it accepts, each taking a value
    int (*run)(Context&, const Options&);
};

/// Every command, in --help order.
[[nodiscard]] const std::vector<Command>& commands();

}  // namespace crmctl
