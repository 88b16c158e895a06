// crmctl: administer a libcrm database from the shell. It acts as the trusted system principal:
// whoever can run it with the database's URL administers that database (as with psql).
//
// Each command registers itself from its own file; this list is the order of crmctl --help.
#include "commands.hpp"
#include "portability.hpp"

int main(int argc, char** argv) {
    CLI::App& crmctl = crmctl::make_app();
    crmctl::add_migrate_command(crmctl);
    crmctl::add_create_user_command(crmctl);
    crmctl::add_set_role_command(crmctl);
    crmctl::add_reset_password_command(crmctl);
    crmctl::add_list_users_command(crmctl);
    crmctl::add_import_command(crmctl);
    crmctl::add_export_command(crmctl);
    crmctl::portability::add_commands(crmctl);  // dump, restore, copy, adopt
    return crmctl::run(crmctl, argc, argv);
}
