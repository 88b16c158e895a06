// crmctl's command line on CLI11: the top-level app, registering a command, the help layout,
// parse errors and failures → exit codes, opening the database for the chosen command.
#include "commands.hpp"

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <optional>
#include <random>
#include <vector>

namespace crmctl {

namespace {

constexpr const char* global_synopsis = "crmctl [--database URL] ";

constexpr const char* overview = R"(crmctl: administer a libcrm database.

usage: crmctl [--database URL] COMMAND [OPTIONS]
       crmctl COMMAND --help
       crmctl --version
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

constexpr const char* default_exit_codes = "exit codes: 0 done, 2 usage error, 3 failure (see crmctl --help)\n";

struct Registered {
    const CLI::App* app;
    CommandSpec spec;
};

// The commands in registration order (the order of crmctl --help).
std::vector<Registered>& registry() {
    static std::vector<Registered> commands;
    return commands;
}

const CommandSpec* spec_of(const CLI::App* app) {
    for (const auto& r : registry())
        if (r.app == app) return &r.spec;
    return nullptr;
}

// crmctl's own usage line and long help around CLI11's option list.
class Layout : public CLI::Formatter {
public:
    std::string make_help(const CLI::App* app, std::string, CLI::AppFormatMode mode) const override {
        std::string out;
        const CommandSpec* spec = spec_of(app);
        if (!spec) {  // crmctl --help
            out = overview;
            out += make_groups(app, mode);
            out += "\ncommands:\n";
            for (const auto& r : registry()) {
                char line[256];
                std::snprintf(line, sizeof line, "  %-16s %s\n", r.spec.name, r.spec.summary);
                out += line;
            }
            return out + epilogue;
        }
        out = std::string("usage: ") + global_synopsis + spec->synopsis + "\n\n" + spec->help;
        out += make_positionals(app);
        out += make_groups(app, mode);
        if (spec->help.find("exit codes") == std::string::npos) out += std::string("\n") + default_exit_codes;
        return out;
    }
};

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

void print_error(const crm::Error& e) {
    std::fprintf(stderr, "crmctl: %s\n", e.what());
    for (const auto& f : e.field_errors())
        if (crm::to_string(f) != e.what() || e.field_errors().size() > 1)
            std::fprintf(stderr, "  %s: %s\n", f.field.c_str(), f.message.c_str());
}

// The command's usage line and where to read more, after a usage error.
void print_usage_hint(const CommandSpec* spec) {
    if (spec)
        std::fprintf(stderr, "usage: %s%s\nRun crmctl %s --help for more information.\n", global_synopsis,
                     spec->synopsis, spec->name);
    else
        std::fputs("Run crmctl --help for more information.\n", stderr);
}

// CLI11's message, but for arguments it did not expect: CLI11 lists them all, values included, and
// a value can be a password someone tried to pass as `--password s3cret`. Name the first unknown
// option without its value instead, or the stray argument when there is no unknown option.
std::string parse_error_message(const CLI::App& crmctl, const CLI::ParseError& e, const CLI::App* command) {
    if (!dynamic_cast<const CLI::ExtrasError*>(&e)) return e.what();
    auto extras = crmctl.remaining(true);
    for (const auto& arg : extras)
        if (arg.size() > 1 && arg[0] == '-') return "unknown option " + arg.substr(0, arg.find('='));
    if (extras.empty()) return e.what();
    if (!command) return "unknown command \"" + extras.front() + "\"";
    bool takes_arguments = !command->get_options([](const CLI::Option* o) { return o->get_positional(); }).empty();
    if (takes_arguments) return command->get_name() + " takes one argument; unexpected \"" + extras.front() + "\"";
    return command->get_name() + " takes no arguments (got \"" + extras.front() + "\")";
}

}  // namespace

std::string redacted(std::string url) {
    auto scheme = url.find("://");
    if (scheme == std::string::npos) return url;
    auto at = url.find('@', scheme + 3);
    auto colon = url.find(':', scheme + 3);
    if (at != std::string::npos && colon != std::string::npos && colon < at)
        url.replace(colon + 1, at - colon - 1, "***");
    return url;
}

CLI::App& add_command(CLI::App& crmctl, CommandSpec spec) {
    CLI::App* app = crmctl.add_subcommand(spec.name, spec.summary);
    app->get_help_ptr()->group("options");  // made before the defaults apply
    registry().push_back({app, std::move(spec)});
    return *app;
}

CLI::App& make_app() {
    static CLI::App app("administer a libcrm database", "crmctl");
    static bool made = false;
    if (made) return app;
    made = true;
    auto layout = std::make_shared<Layout>();
    layout->label("Positionals", "arguments");
    layout->column_width(30);
    app.formatter(layout);
    // Options of the app and of every subcommand (they copy these defaults): one group in the
    // help, and a switch given a value (--raw=yes) is an error rather than read as a boolean.
    app.option_defaults()->group("options")->disable_flag_override();
    app.set_help_flag("-h,--help", "print this help and exit");
    app.set_version_flag("--version", std::string("crmctl ") + CRM_VERSION_STRING + " (libcrm " +
                                          std::string(crm::version()) + ")",
                         "print the version and exit");
    // One command per run; options of crmctl itself (--database) may also follow the command.
    app.require_subcommand(0, 1);
    app.fallthrough();
    static std::string url;
    app.add_option("--database", url,
                   "sqlite:PATH, sqlite::memory: or postgresql://user:pass@host:port/db\n"
                   "(default: $CRM_DATABASE_URL, else sqlite:crm.db, as the server)")
        ->type_name("URL")
        ->check(non_empty());
    return app;
}

int run(CLI::App& crmctl, int argc, char** argv) {
    try {
        crmctl.parse(argc, argv);
    } catch (const CLI::ParseError& e) {
        // --help and --version come this way too, with exit code 0: CLI11 prints them.
        if (e.get_exit_code() == static_cast<int>(CLI::ExitCodes::Success)) return crmctl.exit(e);
        auto chosen = crmctl.get_subcommands();
        const CLI::App* command = chosen.empty() ? nullptr : chosen.front();
        std::fprintf(stderr, "crmctl: %s\n", parse_error_message(crmctl, e, command).c_str());
        print_usage_hint(command ? spec_of(command) : nullptr);
        return usage;
    }
    auto chosen = crmctl.get_subcommands();
    if (chosen.empty()) {
        std::fputs(crmctl.help().c_str(), stderr);
        return usage;
    }
    const CommandSpec& command = *spec_of(chosen.front());

    const char* env_url = std::getenv("CRM_DATABASE_URL");
    std::string url = crmctl.get_option("--database")->as<std::string>();
    if (url.empty()) url = env_url && *env_url ? env_url : "sqlite:crm.db";
    try {
        if (command.run_unopened) return command.run_unopened(url);
        crm::AuthOptions auth = auth_options();
        crm::DatabaseOptions db_options;
        db_options.pool_size = 2;
        // Only migrate makes a database; for every other command a missing SQLite file is a typo.
        db_options.create_if_missing = command.creates_database;
        std::optional<crm::Database> db;
        try {
            db = crm::Database::open(url, db_options);
        } catch (const crm::Error& e) {
            if (e.code() == crm::Errc::invalid) throw UsageError(std::string("--database: ") + e.what());
            std::fprintf(stderr, "crmctl: cannot open %s: %s\n", redacted(url).c_str(), e.what());
            return failure;
        }
        if (!command.creates_database && db->schema_version() < crm::Database::latest_schema_version()) {
            std::fprintf(stderr, "crmctl: the database is not migrated (schema version %d of %d): run crmctl migrate\n",
                         db->schema_version(), crm::Database::latest_schema_version());
            return failure;
        }
        crm::Service service(*db, std::move(auth));
        Context context{service};
        return command.run(context);
    } catch (const UsageError& e) {
        std::fprintf(stderr, "crmctl: %s\n", e.what());
        print_usage_hint(&command);
        return usage;
    } catch (const crm::Error& e) {
        print_error(e);
        return failure;
    } catch (const std::exception& e) {  // OutputError among them
        std::fprintf(stderr, "crmctl: %s\n", e.what());
        return failure;
    }
}

const CLI::Validator& non_empty() {
    static const CLI::Validator check([](const std::string& value) { return value.empty() ? "must not be empty" : ""; },
                                      "");
    return check;
}

std::string describe(const crm::Error& e) {
    std::string out = e.what();
    for (const auto& f : e.field_errors()) {
        std::string line = crm::to_string(f);
        if (line != e.what()) out += "; " + line;
    }
    return out;
}

std::string shown_value(std::string_view field, std::string_view value) {
    std::string name(field);
    for (auto& c : name) c = static_cast<char>(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
    for (const char* secret : {"password", "secret", "token", "hash"})
        if (name.find(secret) != std::string::npos) return "(not shown)";

    constexpr std::size_t shown = 60;
    std::size_t cut = value.size();
    if (cut > shown) {
        cut = shown;  // back to the start of a UTF-8 character, so that the cut one is not mangled
        while (cut > 0 && (static_cast<unsigned char>(value[cut]) & 0xC0) == 0x80) --cut;
    }
    std::string out = "\"";
    for (unsigned char c : value.substr(0, cut)) {
        if (c == '"' || c == '\\') {
            out += '\\';
            out += static_cast<char>(c);
        } else if (c == '\n') {
            out += "\\n";
        } else if (c == '\r') {
            out += "\\r";
        } else if (c == '\t') {
            out += "\\t";
        } else if (c < 0x20 || c == 0x7f) {
            char hex[8];
            std::snprintf(hex, sizeof hex, "\\x%02x", c);
            out += hex;
        } else {
            out += static_cast<char>(c);
        }
    }
    out += '"';
    if (cut < value.size()) out += "... (" + std::to_string(value.size()) + " bytes)";
    return out;
}

}  // namespace crmctl
