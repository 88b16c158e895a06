// Uses the installed C++ API: opens an in-memory database, creates and reads a lead.
#include <crm/crm.hpp>

#include <cstdio>

int main() {
    auto db = crm::Database::open("sqlite::memory:");
    db.migrate();
    crm::Service svc(db, crm::AuthOptions{.jwt_secret = "a consumer secret of at least 32 bytes"});
    auto lead = svc.create_lead(crm::Principal::system(), crm::NewLead{.title = "from a consumer"});
    auto read = svc.get_lead(crm::Principal::system(), lead.id);
    std::printf("libcrm %s: %s\n", std::string(crm::version()).c_str(), read.title.c_str());
    return read.title == "from a consumer" && crm::version() == CRM_VERSION_STRING ? 0 : 1;
}
