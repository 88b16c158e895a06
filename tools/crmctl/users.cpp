// crmctl migrate, create-user, set-role, reset-password, list-users.
#include "commands.hpp"
#include "resource_json.hpp"
#include "terminal.hpp"

#include <cstdio>
#include <iostream>
#include <memory>
#include <vector>

namespace crmctl {

namespace {

constexpr const char* password_help =
    "The password is asked twice on the terminal, without echo. When standard input is not a\n"
    "terminal (or with --password-stdin) its first line is the password, so that scripts can pipe\n"
    "it in. There is no option to give it on the command line, where other users could read it.\n";

const std::vector<std::string> roles{"ADMIN", "MANAGER", "SALES"};

crm::Role role_of(const std::string& name) {
    auto role = crm::parse<crm::Role>(name);
    // The option's check says so first.
    if (!role) throw UsageError("--role must be one of " + std::string(crm::role_names()));
    return *role;
}

CLI::Option* add_role_option(CLI::App& command, std::string& role) {
    return command.add_option("--role", role, "ADMIN, MANAGER or SALES")
        ->type_name("ROLE")
        ->required()
        ->check(CLI::IsMember(roles));
}

CLI::Option* add_email_option(CLI::App& command, std::string& email, const char* what) {
    return command.add_option("--email", email, what)->type_name("EMAIL")->required()->check(non_empty());
}

CLI::Option* add_password_stdin_flag(CLI::App& command, bool& from_stdin) {
    return command.add_flag("--password-stdin", from_stdin,
                            "read the password from the first line of standard input even on a terminal");
}

int migrate(Context& c) {
    auto& db = c.service.database();
    int before = db.schema_version();
    db.migrate();
    int after = db.schema_version();
    if (after == before)
        std::cout << "schema version " << after << "\n";
    else
        std::cout << "schema version " << after << " (was " << before << ")\n";
    return ok;
}

struct CreateUser {
    std::string email, role, name;
    bool password_stdin = false;
};

int create_user(Context& c, const CreateUser& o) {
    crm::NewUser user;
    user.email = o.email;
    user.role = role_of(o.role);
    if (!o.name.empty()) user.name = o.name;
    // Say so before asking for a password that could not be used (the core checks again).
    try {
        (void)c.service.get_user_by_email(c.system, user.email);
        throw crm::Error(crm::Errc::conflict, "email is already taken", {{"email", "is already taken"}});
    } catch (const crm::Error& e) {
        if (e.code() != crm::Errc::not_found) throw;
    }
    user.password = read_password(o.password_stdin);
    auto created = c.service.create_user(c.system, user);
    std::cout << "created " << crm::to_string(created.role) << " " << created.email << " (" << created.id.to_string()
              << ")\n";
    return ok;
}

struct SetRole {
    std::string email, role;
};

int set_role(Context& c, const SetRole& o) {
    crm::Role role = role_of(o.role);
    auto user = c.service.get_user_by_email(c.system, o.email);
    crm::UserUpdate update;
    update.role = role;
    auto updated = c.service.update_user(c.system, user.id, update);
    std::cout << updated.email << " is now " << crm::to_string(updated.role) << "\n";
    return ok;
}

struct ResetPassword {
    std::string email;
    bool password_stdin = false;
};

int reset_password(Context& c, const ResetPassword& o) {
    auto user = c.service.get_user_by_email(c.system, o.email);
    crm::UserUpdate update;
    update.password = read_password(o.password_stdin);  // the system principal needs no current one
    (void)c.service.update_user(c.system, user.id, update);  // also ends every session of the user
    std::cout << "password of " << user.email << " reset; their refresh tokens are revoked\n";
    return ok;
}

int list_users(Context& c, const std::string& format) {
    if (format == "table") std::printf("%-36s  %-7s  %-30s  %s\n", "ID", "ROLE", "EMAIL", "NAME");
    for (std::int64_t page = 1;; ++page) {
        auto users = c.service.list_users(c.system, crm::PageRequest{page, crm::PageRequest::max_limit});
        for (const auto& u : users.items) {
            if (format == "jsonl")
                std::printf("%s\n", crm::json::dump(crm::json::to_json(u)).c_str());
            else
                std::printf("%-36s  %-7s  %-30s  %s\n", u.id.to_string().c_str(),
                            std::string(crm::to_string(u.role)).c_str(), u.email.c_str(), u.name.c_str());
        }
        if (users.items.empty() || page >= users.total_pages()) break;
    }
    std::fflush(stdout);
    if (std::ferror(stdout)) throw std::runtime_error("writing the list failed");
    return ok;
}

}  // namespace

void add_migrate_command(CLI::App& crmctl) {
    CommandSpec spec{"migrate", "migrate", "creates or upgrades the database schema",
                     "Creates or upgrades the database schema; does nothing when it is up to date. Every\n"
                     "other command needs a migrated database.\n",
                     migrate, /*creates_database=*/true};
    (void)add_command(crmctl, std::move(spec));
}

void add_create_user_command(CLI::App& crmctl) {
    auto o = std::make_shared<CreateUser>();
    auto& command = add_command(
        crmctl, {"create-user", "create-user --email EMAIL --role ADMIN|MANAGER|SALES [--name NAME] [--password-stdin]",
                 "creates a user (the password is asked, never an argument)",
                 std::string("Creates a user. NAME defaults to the part of EMAIL before the @.\n") + password_help,
                 [o](Context& c) { return create_user(c, *o); }});
    add_email_option(command, o->email, "the new user's email (their login)");
    add_role_option(command, o->role);
    command.add_option("--name", o->name, "the name shown (default: the part of EMAIL before the @)")
        ->type_name("NAME")
        ->check(non_empty());
    add_password_stdin_flag(command, o->password_stdin);
}

void add_set_role_command(CLI::App& crmctl) {
    auto o = std::make_shared<SetRole>();
    auto& command = add_command(crmctl, {"set-role", "set-role --email EMAIL --role ADMIN|MANAGER|SALES",
                                         "changes a user's role",
                                         "Changes a user's role. The last ADMIN cannot be demoted (exit 3).\n",
                                         [o](Context& c) { return set_role(c, *o); }});
    add_email_option(command, o->email, "the user's email");
    add_role_option(command, o->role);
}

void add_reset_password_command(CLI::App& crmctl) {
    auto o = std::make_shared<ResetPassword>();
    auto& command = add_command(
        crmctl, {"reset-password", "reset-password --email EMAIL [--password-stdin]",
                 "sets a user's password and ends their sessions",
                 std::string("Sets a user's password and revokes all their refresh tokens (their sessions end).\n") +
                     password_help,
                 [o](Context& c) { return reset_password(c, *o); }});
    add_email_option(command, o->email, "the user's email");
    add_password_stdin_flag(command, o->password_stdin);
}

void add_list_users_command(CLI::App& crmctl) {
    auto format = std::make_shared<std::string>("table");
    auto& command = add_command(crmctl, {"list-users", "list-users [--format table|jsonl]", "lists every user",
                                         "Lists every user, oldest first: a table (default), or one JSON object per\n"
                                         "line with id, name, email, role, createdAt, updatedAt.\n",
                                         [format](Context& c) { return list_users(c, *format); }});
    command.add_option("--format", *format, "table (default) or jsonl")
        ->type_name("FORMAT")
        ->check(CLI::IsMember({"table", "jsonl"}));
}

}  // namespace crmctl
