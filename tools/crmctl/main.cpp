// crmctl: administer a libcrm database from the shell. It acts as the trusted system principal:
// whoever can run it with the database's URL administers that database.
#include "commands.hpp"

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <iostream>
#include <random>

namespace {

using namespace crmctl;

constexpr const char* overview = R"(crmctl: administer a libcrm database.

usage: crmctl [--database URL] COMMAND [OPTIONS]
       crmctl COMMAND --help

  --database URL   sqlite:PATH, sqlite::memory: or postgresql://user:pass@host:port/db
                   (default: $CRM_DATABASE_URL, else sqlite:crm.db, as the server)

environment:
  CRM_DATABASE_URL   the database when --database is not given
  CRM_PASSWORD_COST  Argon2id cost of new passwords: interactive (default) or min (tests only)

exit codes:
  0  done (import-leads: every row imported)
  1  import-leads: some rows were rejected; the report lists each with its line number
  2  usage error: unknown command or option, missing value, unreadable or malformed input header
  3  failure: the database is unreachable or refused the operation (the message says why)

commands:
)";

void print_overview(std::FILE* to) {
    std::fputs(overview, to);
    for (const auto& c : commands()) std::fprintf(to, "  %s\n", c.synopsis);
}

void print_command_help(const Command& c) { std::printf("usage: crmctl %s\n\n%s\n", c.synopsis, c.help); }

// A secret that signs nothing anyone sees: crmctl issues no tokens, but the Service wants a key.
std::string throwaway_secret() {
    std::random_device random;
    std::string secret;
    for (int i = 0; i < 48; ++i) secret.push_back(static_cast<char>('a' + random() % 26));
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

}  // namespace

int main(int argc, char** argv) {
    const char* env_url = std::getenv("CRM_DATABASE_URL");
    std::string url = env_url && *env_url ? env_url : "sqlite:crm.db";
    const Command* command = nullptr;
    Options options;
    try {
        bool help = false;
        for (int i = 1; i < argc; ++i) {
            std::string arg = argv[i];
            if (arg == "--help" || arg == "-h") {
                help = true;
                continue;
            }
            if (arg.rfind("--", 0) == 0) {
                std::string name = arg.substr(2), value;
                auto eq = name.find('=');
                bool has_value = eq != std::string::npos;
                if (has_value) {
                    value = name.substr(eq + 1);
                    name = name.substr(0, eq);
                }
                bool takes_value = name == "database" ||
                                   (command && std::find(command->options.begin(), command->options.end(), name) !=
                                                   command->options.end());
                if (!takes_value) throw UsageError("unknown option --" + name);
                if (!has_value) {
                    if (i + 1 >= argc) throw UsageError("--" + name + " needs a value");
                    value = argv[++i];
                }
                if (name == "database")
                    url = value;
                else
                    options.named[name] = value;
                continue;
            }
            if (!command) {
                for (const auto& c : commands())
                    if (arg == c.name) command = &c;
                if (!command) throw UsageError("unknown command " + arg);
            } else {
                options.positional.push_back(arg);
            }
        }
        if (help) {
            command ? print_command_help(*command) : print_overview(stdout);
            return ok;
        }
        if (!command) {
            print_overview(stderr);
            return usage;
        }
        if (std::string(command->name) != "import-leads" && !options.positional.empty())
            throw UsageError(std::string(command->name) + " takes no arguments");

        crm::DatabaseOptions db_options;
        db_options.pool_size = 2;
        auto db = crm::Database::open(url, db_options);
        if (std::string(command->name) != "migrate" && db.schema_version() < crm::Database::latest_schema_version()) {
            std::fprintf(stderr, "crmctl: the database is not migrated: run crmctl migrate first\n");
            return failure;
        }
        crm::Service service(db, auth_options());
        Context context{service};
        return command->run(context, options);
    } catch (const UsageError& e) {
        std::fprintf(stderr, "crmctl: %s\n", e.what());
        if (command) std::fprintf(stderr, "usage: crmctl %s\n", command->synopsis);
        else std::fprintf(stderr, "run crmctl --help for the commands\n");
        return usage;
    } catch (const crm::Error& e) {
        std::fprintf(stderr, "crmctl: %s\n", e.what());
        for (const auto& f : e.field_errors()) std::fprintf(stderr, "  %s: %s\n", f.field.c_str(), f.message.c_str());
        return failure;
    } catch (const std::exception& e) {
        std::fprintf(stderr, "crmctl: %s\n", e.what());
        return failure;
    }
}
