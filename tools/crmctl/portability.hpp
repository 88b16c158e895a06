// crmctl dump, restore, copy, adopt: moving a whole CRM between databases (portability.cpp).
// Plain functions over option structs, so that any command-line parser can register them; each
// opens its own databases. They throw UsageError for a command-line mistake (exit 2) and
// crm::Error or std::exception for a failure (exit 3); otherwise they return the exit code.
#pragma once

#include <CLI/CLI.hpp>

#include <string>
#include <vector>

namespace crmctl::portability {

struct DumpOptions {
    std::string database;      ///< the source URL
    std::string output = "-";  ///< a file (written atomically, 0600 when new), or - for stdout
};

struct RestoreOptions {
    std::string database;  ///< the target URL: migrated, and empty unless merge
    std::string file;      ///< a dump, or - for stdin
    bool merge = false;    ///< add to a target that has data
};

struct CopyOptions {
    std::string from, to;  ///< source and target URLs (the target migrated, and empty unless merge)
    bool merge = false;
};

/// `from` is the Node.js/Express/Sequelize backend's PostgreSQL database.
using AdoptOptions = CopyOptions;

int dump(const DumpOptions& options);
int restore(const RestoreOptions& options);
int copy(const CopyOptions& options);
int adopt(const AdoptOptions& options);

/// Names, usage lines and help texts of the four commands, for the parser that registers them.
struct CommandHelp {
    const char* name;
    const char* synopsis;  ///< the usage line after "crmctl"
    const char* help;      ///< what it does, its options, its exit codes
};
[[nodiscard]] const std::vector<CommandHelp>& help();

/// Registers the four commands on crmctl's CLI11 app (portability_cli.cpp).
void add_commands(CLI::App& crmctl);

}  // namespace crmctl::portability
