// crmctl migrate, create-user, set-role, reset-password, list-users.
#include "commands.hpp"
#include "terminal.hpp"

#include <nlohmann/json.hpp>

#include <cstdio>
#include <iostream>

namespace crmctl {

namespace {

nlohmann::ordered_json user_json(const crm::User& u) {
    return {{"id", u.id.to_string()},
            {"name", u.name},
            {"email", u.email},
            {"role", crm::to_string(u.role)},
            {"createdAt", crm::format_timestamp(u.created_at)},
            {"updatedAt", crm::format_timestamp(u.updated_at)}};
}

crm::Role role_option(const Options& o) {
    auto role = crm::parse<crm::Role>(o.required("role"));
    if (!role) throw UsageError("--role must be ADMIN, MANAGER or SALES");
    return *role;
}

}  // namespace

int migrate(Context& c, const Options&) {
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

int create_user(Context& c, const Options& o) {
    crm::NewUser user;
    user.email = o.required("email");
    user.role = role_option(o);
    if (o.has("name")) user.name = o.required("name");
    // Say so before asking for a password that could not be used (the core checks again).
    try {
        (void)c.service.get_user_by_email(c.system, user.email);
        throw crm::Error(crm::Errc::conflict, "email is already taken", {{"email", "is already taken"}});
    } catch (const crm::Error& e) {
        if (e.code() != crm::Errc::not_found) throw;
    }
    user.password = read_password(o.has("password-stdin"));
    auto created = c.service.create_user(c.system, user);
    std::cout << "created " << crm::to_string(created.role) << " " << created.email << " (" << created.id.to_string()
              << ")\n";
    return ok;
}

int set_role(Context& c, const Options& o) {
    crm::Role role = role_option(o);
    auto user = c.service.get_user_by_email(c.system, o.required("email"));
    crm::UserUpdate update;
    update.role = role;
    auto updated = c.service.update_user(c.system, user.id, update);
    std::cout << updated.email << " is now " << crm::to_string(updated.role) << "\n";
    return ok;
}

int reset_password(Context& c, const Options& o) {
    auto user = c.service.get_user_by_email(c.system, o.required("email"));
    crm::UserUpdate update;
    update.password = read_password(o.has("password-stdin"));  // the system principal needs no current one
    (void)c.service.update_user(c.system, user.id, update);     // also ends every session of the user
    std::cout << "password of " << user.email << " reset; their refresh tokens are revoked\n";
    return ok;
}

int list_users(Context& c, const Options& o) {
    std::string format = o.get("format", "table");
    if (format != "table" && format != "jsonl") throw UsageError("--format must be table or jsonl");
    if (format == "table") std::printf("%-36s  %-7s  %-30s  %s\n", "ID", "ROLE", "EMAIL", "NAME");
    for (std::int64_t page = 1;; ++page) {
        auto users = c.service.list_users(c.system, crm::PageRequest{page, crm::PageRequest::max_limit});
        for (const auto& u : users.items) {
            if (format == "jsonl")
                std::printf("%s\n", user_json(u).dump().c_str());
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

}  // namespace crmctl
