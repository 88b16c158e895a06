// crm_json (src/json/): the resource shapes every program writes, and the one field-error collector.
#include "resource_json.hpp"

#include <crm/validation.hpp>

#include <doctest/doctest.h>

using namespace crm;

TEST_CASE("resource shapes: a lead in the contract's member order, metadata as a value") {
    Lead lead{Uuid::generate(), "t", std::nullopt, LeadStatus::qualified, "web", std::nullopt,
              R"({"n": 12345678901234567890, "deep": {"a": [1, 2]}})", Timestamp{}, Timestamp{}};
    auto shape = json::to_json(lead);
    std::vector<std::string> keys;
    for (auto it = shape.begin(); it != shape.end(); ++it) keys.push_back(it.key());
    CHECK(keys == std::vector<std::string>{"id", "title", "description", "status", "source", "ownerId", "metadata",
                                           "createdAt", "updatedAt"});
    CHECK(shape["status"] == "QUALIFIED");
    CHECK(shape["description"].is_null());
    CHECK(shape["metadata"]["deep"]["a"][1] == 2);
    CHECK(json::dump(shape).find("\"metadata\":{\"n\":12345678901234567890") != std::string::npos);
}

TEST_CASE("resource shapes: stored metadata that does not parse is shown as null, in every list") {
    Lead lead{Uuid::generate(), "edited behind the library's back", std::nullopt, LeadStatus::new_, std::nullopt,
              std::nullopt, "{not json", Timestamp{}, Timestamp{}};
    CHECK(json::to_json(lead)["metadata"].is_null());
    Page<Lead> page;
    page.items = {lead};
    page.total = 1;
    auto list = json::to_json(page);
    CHECK(list["data"][0]["metadata"].is_null());
    CHECK(list["pagination"]["totalPages"] == 1);
    CHECK(list["pagination"]["nextCursor"].is_null());
}

TEST_CASE("field errors: the first problem per field, in the order found, one message format") {
    FieldErrors errors;
    errors.add("status", "must be one of " + std::string(lead_status_names()));
    check(PageRequest{0, 500}, errors);
    check(NewLead{"  ", std::nullopt, std::nullopt, std::string(256, 's'), {}, std::nullopt}, errors);
    errors.add("status", "a later problem of the same field");
    REQUIRE(errors.list().size() == 5);
    CHECK(errors.list()[0] == FieldError{"status", "must be one of NEW, CONTACTED, QUALIFIED, CLOSED"});
    CHECK(errors.list()[1] == FieldError{"page", "must be an integer from 1 to 1000000000"});
    CHECK(errors.list()[2].field == "limit");
    CHECK(errors.list()[3] == FieldError{"title", "is required"});
    CHECK(errors.list()[4].field == "source");
    try {
        errors.throw_if_any();
        FAIL("no exception");
    } catch (const Error& e) {
        CHECK(e.code() == Errc::invalid);
        CHECK(std::string(e.what()) == "status must be one of NEW, CONTACTED, QUALIFIED, CLOSED");
        CHECK(e.field_errors() == errors.list());
    }
    CHECK_NOTHROW(FieldErrors{}.throw_if_any());
    CHECK(role_names() == "ADMIN, MANAGER, SALES");
    CHECK(activity_type_names() == "NOTE, CALL, EMAIL");
}

TEST_CASE("validation: check() finds what the library refuses, a host's unreadable email adds no name problem") {
    FieldErrors library;
    check(Registration{"", "password-123", std::nullopt}, library);
    CHECK(library.list().size() == 2);  // email, and the name it would have given
    FieldErrors host;
    host.add("email", "must be a string");
    check(Registration{"", "password-123", std::nullopt}, host);
    CHECK(host.list() == std::vector<FieldError>{{"email", "must be a string"}});
    CHECK(validate(NewLead{"ok", std::nullopt, std::nullopt, std::nullopt, {}, "[1]"}) ==
          std::vector<FieldError>{{"metadata", "must be a JSON object or null"}});
}
