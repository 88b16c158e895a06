// libcrm from C++: open a SQLite database, create the first admin, log in, add a lead and an
// activity, and list them, with the C++ API (crm::Service) that the C ABI wraps.
//
//     quickstart [PATH]      (default: <temp dir>/crm-quickstart-cpp.db)
//
// Running it again on the same file works: the admin exists already, and more leads are added.
#include <crm/crm.hpp>

#include <cstdlib>
#include <filesystem>
#include <iostream>

int main(int argc, char** argv) try {
    std::filesystem::path path =
        argc > 1 ? std::filesystem::path(argv[1]) : std::filesystem::temp_directory_path() / "crm-quickstart-cpp.db";

    // 1. Open and migrate; the service does every CRM operation over the database.
    auto db = crm::Database::open("sqlite:" + path.string());
    db.migrate();
    crm::AuthOptions auth;
    const char* secret = std::getenv("CRM_JWT_SECRET");  // signs access tokens: at least 32 bytes
    auth.jwt_secret = secret && *secret ? secret : "quickstart-only-secret-do-not-use-0123456789";
    crm::Service service(db, auth);
    std::cout << "opened " << path.string() << "\n";

    // 2. The host application itself (the system principal) creates the first ADMIN.
    try {
        (void)service.create_user(crm::Principal::system(), {.email = "admin@example.com",
                                                             .password = "change-me-please",
                                                             .name = "Ada Admin",
                                                             .role = crm::Role::admin});
    } catch (const crm::Error& e) {
        if (e.code() != crm::Errc::conflict) throw;
        std::cout << "admin@example.com exists already\n";
    }

    // 3. Log in, and turn the access token into the principal that acts (a server does this per request).
    crm::AuthResult login = service.login("admin@example.com", "change-me-please");
    crm::Principal admin = service.authenticate(login.tokens.access_token);
    std::cout << "logged in as " << login.user.name << " (" << crm::to_string(admin.role()) << ")\n";

    // 4. A lead: fields left out keep their defaults (status NEW, owner: the caller).
    crm::NewLead fields;
    fields.title = "Acme Corp: 250 seats";
    fields.source = "web";
    fields.metadata = R"({"employees": 250, "region": "EU"})";  // a JSON object, kept as given
    crm::Lead lead = service.create_lead(admin, fields);

    // 5. An activity on that lead.
    (void)service.create_activity(admin, {.lead_id = lead.id, .type = crm::ActivityType::call, .body = "Intro call booked"});

    // 6. List: newest leads first (the default sort), then the lead's activities.
    auto leads = service.list_leads(admin, {}, {}, crm::PageRequest{1, 10});
    std::cout << leads.total.value_or(0) << " lead(s):\n";  // always counted in page mode
    for (const crm::Lead& l : leads.items)
        std::cout << "  " << crm::format_timestamp(l.created_at) << "  " << crm::to_string(l.status) << "  " << l.title
                  << "\n";
    for (const crm::Activity& a : service.list_activities(admin, lead.id, {}).items)
        std::cout << "  activity " << crm::to_string(a.type) << ": " << a.body.value_or("") << "\n";
    return 0;
} catch (const crm::Error& e) {
    // Every failure is a crm::Error: a code, a message, and for `invalid` the offending fields.
    std::cerr << "error (" << crm::to_string(e.code()) << "): " << e.what() << "\n";
    for (const auto& field : e.field_errors()) std::cerr << "  " << field.field << ": " << field.message << "\n";
    return 1;
}
