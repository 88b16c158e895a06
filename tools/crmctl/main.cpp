// crmctl: administer a libcrm database from the shell. It acts as the trusted system principal:
// whoever can run it with the database's URL administers that database (as with psql).
#include "commands.hpp"
#include "portability.hpp"  // dump, restore, copy, adopt

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <optional>
#include <random>
#include <string>
#include <vector>

namespace {

using namespace crmctl;

constexpr const char* overview = R"(crmctl: administer a libcrm database.

usage: crmctl [--database URL] COMMAND [OPTIONS]
       crmctl COMMAND --help
       crmctl --version

  --database URL   sqlite:PATH, sqlite::memory: or postgresql://user:pass@host:port/db
                   (default: $CRM_DATABASE_URL, else sqlite:crm.db, as the server)

commands:
)";

constexpr const char* epilogue = R"(
environment:
  CRM_DATABASE_URL   the database when --database is not given
  CRM_PASSWORD_COST  Argon2id cost of new passwords: unset or "interactive" (libsodium's
                     INTERACTIVE limits), or "min" (the minimum: for tests only)

exit codes:
  0  done (import-leads: every row imported)
  1  import-leads: some rows were rejected; the report lists each with its line number
  2  usage error: unknown command or option, missing or bad value, unreadable input file or
     header, passwords that do not match
  3  failure: the database is unreachable, not migrated, or refused the operation (the message
     says why); an output file could not be written

Passwords are never taken from the command line: see create-user --help.
)";

void print_overview(std::FILE* to) {
    std::fputs(overview, to);
    for (const auto& c : commands()) std::fprintf(to, "  %s\n", c.synopsis);
    portability::print_synopses(to);  // dump, restore, copy, adopt
    std::fputs(epilogue, to);
}

void print_command_help(const Command& c) {
    std::printf("usage: crmctl [--database URL] %s\n\n%s", c.synopsis, c.help.c_str());
    if (c.help.find("exit codes") == std::string::npos)
        std::printf("\nexit codes: 0 done, 2 usage error, 3 failure (see crmctl --help)\n");
}

// A key that signs nothing anyone sees: crmctl issues no tokens, but a Service needs one.
std::string throwaway_secret() {
    std::random_device random;
    std::uniform_int_distribution<int> letter(0, 61);
    static constexpr char alphabet[] = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
    std::string secret;
    for (int i = 0; i < 64; ++i) secret.push_back(alphabet[letter(random)]);  // ~381 bits
    return secret;
}

crm::AuthOptions auth_options() {
    crm::AuthOptions options;
    options.jwt_secret = throwaway_secret();
    const char* cost = std::getenv("CRM_PASSWORD_COST");
    if (cost && std::strcmp(cost, "min") == 0) {
        options.password_opslimit = 1;     // crypto_pwhash_OPSLIMIT_MIN
        options.password_memlimit = 8192;  // crypto_pwhash_MEMLIMIT_MIN
    } else if (cost && *cost && std::strcmp(cost, "interactive") != 0) {
        throw UsageError("CRM_PASSWORD_COST must be interactive or min");
    }
    return options;
}

bool contains(const std::vector<std::string>& names, const std::string& name) {
    return std::find(names.begin(), names.end(), name) != names.end();
}

// The URL without its password, to name the database in messages.
std::string redacted(std::string url) {
    auto scheme = url.find("://");
    if (scheme == std::string::npos) return url;
    auto at = url.find('@', scheme + 3);
    auto colon = url.find(':', scheme + 3);
    if (at != std::string::npos && colon != std::string::npos && colon < at)
        url.replace(colon + 1, at - colon - 1, "***");
    return url;
}

void print_error(const crm::Error& e) {
    std::fprintf(stderr, "crmctl: %s\n", e.what());
    for (const auto& f : e.field_errors())
        if (f.field + " " + f.message != e.what() || e.field_errors().size() > 1)
            std::fprintf(stderr, "  %s: %s\n", f.field.c_str(), f.message.c_str());
}

}  // namespace

int main(int argc, char** argv) {
    // dump, restore, copy, adopt open their own databases (portability_cli.cpp); -1: another command.
    if (int code = portability::run_from_command_line(argc, argv); code >= 0) return code;

    const char* env_url = std::getenv("CRM_DATABASE_URL");
    std::string url = env_url && *env_url ? env_url : "sqlite:crm.db";
    const Command* command = nullptr;
    Options options;
    try {
        bool help = false, version = false, only_positional = false;
        for (int i = 1; i < argc; ++i) {
            std::string arg = argv[i];
            if (!only_positional && arg == "--") {
                only_positional = true;
            } else if (!only_positional && (arg == "--help" || arg == "-h")) {
                help = true;
            } else if (!only_positional && !command && arg == "--version") {
                version = true;
            } else if (!only_positional && arg.size() > 1 && arg[0] == '-') {
                if (arg.rfind("--", 0) != 0) throw UsageError("unknown option " + arg);
                std::string name = arg.substr(2), value;
                auto eq = name.find('=');
                bool inline_value = eq != std::string::npos;
                if (inline_value) {
                    value = name.substr(eq + 1);
                    name.resize(eq);
                }
                bool is_switch = command && contains(command->switches, name);
                if (!is_switch && name != "database" && !(command && contains(command->options, name)))
                    throw UsageError("unknown option --" + name);
                if (is_switch && inline_value) throw UsageError("--" + name + " takes no value");
                if (!is_switch && !inline_value) {
                    if (i + 1 >= argc) throw UsageError("--" + name + " needs a value");
                    value = argv[++i];
                }
                if (name == "database") {
                    url = value;
                } else if (!options.named.emplace(name, value).second) {
                    throw UsageError("--" + name + " is given twice");
                }
            } else if (!command) {
                for (const auto& c : commands())
                    if (arg == c.name) command = &c;
                if (!command) throw UsageError("unknown command \"" + arg + "\"");
            } else {
                options.positional.push_back(arg);
            }
        }
        if (help) {
            command ? print_command_help(*command) : print_overview(stdout);
            return ok;
        }
        if (version) {
            std::printf("crmctl %s (libcrm %.*s)\n", CRM_VERSION_STRING, static_cast<int>(crm::version().size()),
                        crm::version().data());
            return ok;
        }
        if (!command) {
            print_overview(stderr);
            return usage;
        }
        if (options.positional.size() > command->max_positional)
            throw UsageError(command->max_positional ? std::string(command->name) + " takes one file, not " +
                                                           std::to_string(options.positional.size())
                                                     : std::string(command->name) + " takes no arguments (got \"" +
                                                           options.positional.front() + "\")");

        crm::AuthOptions auth = auth_options();
        crm::DatabaseOptions db_options;
        db_options.pool_size = 2;
        // Only migrate makes a database; for every other command a missing SQLite file is a typo.
        db_options.create_if_missing = std::strcmp(command->name, "migrate") == 0;
        std::optional<crm::Database> db;
        try {
            db = crm::Database::open(url, db_options);
        } catch (const crm::Error& e) {
            if (e.code() == crm::Errc::invalid) throw UsageError(std::string("--database: ") + e.what());
            std::fprintf(stderr, "crmctl: cannot open %s: %s\n", redacted(url).c_str(), e.what());
            return failure;
        }
        if (std::strcmp(command->name, "migrate") != 0 &&
            db->schema_version() < crm::Database::latest_schema_version()) {
            std::fprintf(stderr, "crmctl: the database is not migrated (schema version %d of %d): run crmctl migrate\n",
                         db->schema_version(), crm::Database::latest_schema_version());
            return failure;
        }
        crm::Service service(*db, std::move(auth));
        Context context{service};
        return command->run(context, options);
    } catch (const UsageError& e) {
        std::fprintf(stderr, "crmctl: %s\n", e.what());
        if (command)
            std::fprintf(stderr, "usage: crmctl %s (crmctl %s --help explains)\n", command->synopsis, command->name);
        else
            std::fprintf(stderr, "crmctl --help lists the commands\n");
        return usage;
    } catch (const crm::Error& e) {
        print_error(e);
        return failure;
    } catch (const std::exception& e) {
        std::fprintf(stderr, "crmctl: %s\n", e.what());
        return failure;
    }
}
