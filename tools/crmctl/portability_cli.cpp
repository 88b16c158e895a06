// dump, restore, copy and adopt on crmctl's command line. They open their own databases (copy
// and adopt two), so they register as commands that run with the --database URL unopened.
#include "commands.hpp"
#include "portability.hpp"

#include <memory>
#include <string>

namespace crmctl::portability {

namespace {

const CommandHelp& help_of(const std::string& name) {
    for (const auto& c : help())
        if (name == c.name) return c;
    throw std::logic_error("no help text for crmctl " + name);
}

CLI::App& add(CLI::App& crmctl, const char* name, const char* summary,
              std::function<int(const std::string& database_url)> run) {
    const CommandHelp& h = help_of(name);
    CommandSpec spec{h.name, h.synopsis, summary, h.help, {}};
    spec.run_unopened = std::move(run);
    return add_command(crmctl, std::move(spec));
}

}  // namespace

void add_commands(CLI::App& crmctl) {
    auto dump_options = std::make_shared<DumpOptions>();
    auto& dump_command = add(crmctl, "dump", "writes the whole CRM (users with hashes, leads, activities) as JSON Lines",
                             [dump_options](const std::string& url) {
                                 DumpOptions o = *dump_options;
                                 o.database = url;
                                 return dump(o);
                             });
    dump_command.add_option("--output", dump_options->output, "the file to write (default -: standard output)")
        ->type_name("FILE")
        ->check(non_empty());

    auto restore_options = std::make_shared<RestoreOptions>();
    auto& restore_command = add(crmctl, "restore", "writes a dump into a migrated, empty database, all or nothing",
                                [restore_options](const std::string& url) {
                                    RestoreOptions o = *restore_options;
                                    o.database = url;
                                    return restore(o);
                                });
    restore_command.add_option("FILE", restore_options->file, "the dump (- reads standard input)")->required();
    restore_command.add_flag("--merge", restore_options->merge, "add to a database that has data");

    // copy and adopt name both databases; --database means nothing to them.
    CLI::Option* database = crmctl.get_option("--database");
    auto add_two_sided = [&](const char* name, const char* summary, int (*action)(const CopyOptions&)) {
        auto o = std::make_shared<CopyOptions>();
        auto& command = add(crmctl, name, summary, [o, action, database, name](const std::string&) {
            if (database->count() > 0)
                throw UsageError(std::string("unknown option --database: ") + name + " reads --from and writes --to");
            return action(*o);
        });
        command.add_option("--from", o->from, "the source database URL")->type_name("URL")->required()->check(non_empty());
        command.add_option("--to", o->to, "the target database URL (migrated)")->type_name("URL")->required()->check(non_empty());
        command.add_flag("--merge", o->merge, "add to a database that has data");
    };
    add_two_sided("copy", "copies a whole CRM from one database to another (dump + restore, no file)", copy);
    add_two_sided("adopt", "copies the Node.js backend's users, leads and activities into libcrm", adopt);
}

}  // namespace crmctl::portability
