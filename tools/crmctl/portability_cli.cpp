// The hand-written command line of dump, restore, copy and adopt (until crmctl moves to CLI11,
// which will register portability.hpp's functions and help texts instead of this file). These
// commands open their own databases (copy and adopt two), so they are dispatched before main()
// opens --database.
#include "commands.hpp"
#include "portability.hpp"

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <map>
#include <string>
#include <vector>

namespace crmctl::portability {

namespace {

const CommandHelp* find_command(const std::string& name) {
    for (const auto& c : help())
        if (name == c.name) return &c;
    return nullptr;
}

// The options each command takes: those with a value, and switches.
struct Accepts {
    std::vector<std::string> values, switches;
    std::size_t positional;
};

Accepts accepts(const std::string& command) {
    if (command == "dump") return {{"database", "output"}, {}, 0};
    if (command == "restore") return {{"database"}, {"merge"}, 1};
    return {{"from", "to"}, {"merge"}, 0};  // copy, adopt
}

bool contains(const std::vector<std::string>& list, const std::string& s) {
    for (const auto& x : list)
        if (x == s) return true;
    return false;
}

int run(const CommandHelp& command, const std::map<std::string, std::string>& named,
        const std::vector<std::string>& positional) {
    auto get = [&](const std::string& name, const std::string& fallback) {
        auto it = named.find(name);
        return it == named.end() ? fallback : it->second;
    };
    const char* env_url = std::getenv("CRM_DATABASE_URL");
    std::string database = get("database", env_url && *env_url ? env_url : "sqlite:crm.db");
    bool merge = named.count("merge") > 0;
    std::string name = command.name;
    if (name == "dump") return dump(DumpOptions{database, get("output", "-")});
    if (name == "restore") {
        if (positional.empty()) throw UsageError("restore takes one FILE (- reads standard input)");
        return restore(RestoreOptions{database, positional.front(), merge});
    }
    CopyOptions o{get("from", ""), get("to", ""), merge};
    return name == "copy" ? copy(o) : adopt(o);
}

}  // namespace

void print_synopses(std::FILE* to) {
    for (const auto& c : help()) std::fprintf(to, "  %s\n", c.synopsis);
}

int run_from_command_line(int argc, char** argv) {
    // The command is the first argument that is neither an option nor --database's value.
    const CommandHelp* command = nullptr;
    for (int i = 1; i < argc && !command; ++i) {
        std::string arg = argv[i];
        if (arg == "--") break;
        if (arg == "--database") {
            ++i;
            continue;
        }
        if (!arg.empty() && arg[0] == '-') continue;
        command = find_command(arg);
        if (!command) return -1;  // another command: main() handles it
    }
    if (!command) return -1;

    try {
        std::map<std::string, std::string> named;
        std::vector<std::string> positional;
        Accepts ok_options = accepts(command->name);
        bool seen_command = false, only_positional = false;
        for (int i = 1; i < argc; ++i) {
            std::string arg = argv[i];
            if (!seen_command && arg == command->name) {
                seen_command = true;
                continue;
            }
            if (!only_positional && arg == "--") {
                only_positional = true;
            } else if (!only_positional && (arg == "--help" || arg == "-h")) {
                std::printf("usage: crmctl %s\n\n%s", command->synopsis, command->help);
                return ok;
            } else if (!only_positional && arg.size() > 1 && arg[0] == '-') {
                if (arg.rfind("--", 0) != 0) throw UsageError("unknown option " + arg);
                std::string option = arg.substr(2), value;
                auto eq = option.find('=');
                bool inline_value = eq != std::string::npos;
                if (inline_value) {
                    value = option.substr(eq + 1);
                    option.resize(eq);
                }
                bool is_switch = contains(ok_options.switches, option);
                if (!is_switch && !contains(ok_options.values, option))
                    throw UsageError("unknown option --" + option);
                if (is_switch && inline_value) throw UsageError("--" + option + " takes no value");
                if (!is_switch && !inline_value) {
                    if (i + 1 >= argc) throw UsageError("--" + option + " needs a value");
                    value = argv[++i];
                }
                if (!named.emplace(option, value).second) throw UsageError("--" + option + " is given twice");
            } else {
                positional.push_back(arg);
            }
        }
        if (positional.size() > ok_options.positional)
            throw UsageError(ok_options.positional ? std::string(command->name) + " takes one FILE, not " +
                                                         std::to_string(positional.size())
                                                   : std::string(command->name) + " takes no arguments (got \"" +
                                                         positional.front() + "\")");
        return run(*command, named, positional);
    } catch (const UsageError& e) {
        std::fprintf(stderr, "crmctl: %s\nusage: crmctl %s (crmctl %s --help explains)\n", e.what(), command->synopsis,
                     command->name);
        return usage;
    } catch (const crm::Error& e) {
        std::fprintf(stderr, "crmctl: %s\n", describe(e).c_str());
        return failure;
    } catch (const std::exception& e) {
        std::fprintf(stderr, "crmctl: %s\n", e.what());
        return failure;
    }
}

}  // namespace crmctl::portability
