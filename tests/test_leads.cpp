// Lead operations beyond single CRUD: batch creation and streaming reads, on both backends.
#include "support.hpp"

#include <doctest/doctest.h>

#include <limits>
#include <set>

using namespace crm;
using crm::test::ScratchDatabase;

TEST_CASE("db: create_leads is all or nothing") {
    ScratchDatabase scratch;
    Service svc(scratch.db(), test::fast_auth_options());
    auto sys = Principal::system();
    std::vector<NewLead> batch(5, NewLead{"ok", {}, {}, {}, {}, {}});
    SUBCASE("an invalid row names its index and nothing is created") {
        batch[3].title = "  ";
        batch[4].metadata = "[]";
        try {
            (void)svc.create_leads(sys, batch);
            FAIL("created");
        } catch (const Error& e) {
            CHECK(e.code() == Errc::invalid);
            REQUIRE(e.field_errors().size() == 2);
            CHECK(e.field_errors()[0].field == "[3].title");
            CHECK(e.field_errors()[1].field == "[4].metadata");
        }
    }
    SUBCASE("a database failure in the middle rolls the batch back") {
        batch[2].owner_id = std::optional<Uuid>(Uuid::generate());  // no such user
        CHECK_THROWS_AS((void)svc.create_leads(sys, batch), Error);
    }
    CHECK(svc.list_leads(sys, {}, {}, {}).total == 0);
    auto created = svc.create_leads(sys, std::vector<NewLead>(3, NewLead{"fine", {}, {}, {}, {}, R"({"a": 1})"}));
    CHECK(created.size() == 3);
    CHECK(svc.list_leads(sys, {}, {}, {}).total == 3);
}

TEST_CASE("db: for_each_lead streams every lead in scope exactly once") {
    ScratchDatabase scratch;
    Service svc(scratch.db(), test::fast_auth_options());
    auto sys = Principal::system();
    User s = svc.create_user(sys, NewUser{"s@example.com", "password123", "S", Role::sales});
    std::vector<NewLead> batch;
    for (int i = 0; i < 2500; ++i)
        batch.push_back(NewLead{"lead " + std::to_string(i), {}, {}, {}, std::optional<Uuid>(i % 5 == 0 ? s.id : Uuid{}), {}});
    for (auto& l : batch)
        if (l.owner_id && (*l.owner_id)->is_nil()) l.owner_id = std::optional<Uuid>{};
    (void)svc.create_leads(sys, batch);
    std::set<Uuid> seen;
    std::size_t visits = 0;
    Timestamp previous{};
    bool ordered = true;
    svc.for_each_lead(sys, {}, [&](const Lead& l) {
        ++visits;
        seen.insert(l.id);
        ordered = ordered && l.created_at >= previous;
        previous = l.created_at;
    });
    CHECK(visits == 2500);
    CHECK(seen.size() == 2500);
    CHECK(ordered);
    // A SALES principal streams only their own.
    auto sales = svc.authenticate(svc.login("s@example.com", "password123").tokens.access_token);
    std::size_t own = 0;
    svc.for_each_lead(sales, {}, [&](const Lead& l) {
        CHECK(l.owner_id == s.id);
        ++own;
    });
    CHECK(own == 500);
    LeadFilter q;
    q.q = "lead 249";  // lead 249, 2490..2499
    std::size_t matched = 0;
    svc.for_each_lead(sys, q, [&](const Lead&) { ++matched; });
    CHECK(matched == 11);
}

TEST_CASE("db: get_user_by_email finds case-insensitively and respects scope") {
    ScratchDatabase scratch;
    Service svc(scratch.db(), test::fast_auth_options());
    auto sys = Principal::system();
    User u = svc.create_user(sys, NewUser{"Person@Example.com", "password123", "P", Role::sales});
    (void)svc.create_user(sys, NewUser{"other@example.com", "password123", "O", Role::sales});
    CHECK(svc.get_user_by_email(sys, " PERSON@example.COM ").id == u.id);
    CHECK_THROWS_AS((void)svc.get_user_by_email(sys, "nobody@example.com"), Error);
    auto me = svc.authenticate(svc.login("person@example.com", "password123").tokens.access_token);
    CHECK(svc.get_user_by_email(me, "person@example.com").id == u.id);
    try {
        (void)svc.get_user_by_email(me, "other@example.com");
        FAIL("found");
    } catch (const Error& e) {
        CHECK(e.code() == Errc::forbidden);
    }
    try {
        (void)svc.get_user_by_email(me, "nobody@example.com");
        FAIL("found");
    } catch (const Error& e) {
        CHECK(e.code() == Errc::forbidden);  // a SALES user cannot probe which emails exist
    }
}

TEST_CASE("db: page numbers out of range are invalid, not an overflow") {
    ScratchDatabase scratch;
    Service svc(scratch.db(), test::fast_auth_options());
    auto sys = Principal::system();
    for (std::int64_t page : {std::int64_t{0}, std::int64_t{-1}, PageRequest::max_page + 1, std::numeric_limits<std::int64_t>::max()}) {
        try {
            (void)svc.list_leads(sys, {}, {}, PageRequest{page, 20});
            FAIL("accepted page " << page);
        } catch (const Error& e) {
            CHECK(e.code() == Errc::invalid);
            CHECK(e.field_errors().at(0).field == "page");
        }
    }
    CHECK(svc.list_leads(sys, {}, {}, PageRequest{PageRequest::max_page, 100}).items.empty());
    for (std::int64_t limit : {std::int64_t{0}, std::int64_t{101}})
        CHECK_THROWS_AS((void)svc.list_users(sys, PageRequest{1, limit}), Error);
}

TEST_CASE("db: an update returns exactly what a read returns, and updatedAt strictly increases") {
    ScratchDatabase scratch;
    Service svc(scratch.db(), test::fast_auth_options());
    auto sys = Principal::system();
    // Spacing and key order PostgreSQL's jsonb does not keep: the update must return the stored text.
    auto metadata = [](int n) { return R"({ "z" : )" + std::to_string(n) + R"(,   "a": {"y": null, "b": [1, 2]} })"; };
    Lead lead = svc.create_lead(sys, NewLead{"lead", {}, {}, {}, {}, metadata(0)});
    CHECK(lead == svc.get_lead(sys, lead.id));
    // Several updates within a few milliseconds: the rule alone keeps updatedAt increasing.
    Timestamp previous = lead.updated_at;
    for (int i = 1; i <= 3; ++i) {
        LeadChanges changes;
        changes.metadata = std::optional<std::string>(metadata(i));
        Lead updated = svc.update_lead(sys, lead.id, changes);
        CHECK(updated == svc.get_lead(sys, lead.id));
        CHECK(updated.updated_at > previous);
        CHECK(updated.created_at == lead.created_at);
        previous = updated.updated_at;
    }

    Activity activity = svc.create_activity(sys, NewActivity{lead.id, ActivityType::call, "called"});
    CHECK(activity == svc.get_activity(sys, activity.id));
    previous = activity.updated_at;
    for (int i = 1; i <= 3; ++i) {
        ActivityUpdate update;
        update.body = std::optional<std::string>("call " + std::to_string(i));
        Activity updated = svc.update_activity(sys, activity.id, update);
        CHECK(updated == svc.get_activity(sys, activity.id));
        CHECK(updated.updated_at > previous);
        previous = updated.updated_at;
    }

    User user = svc.create_user(sys, NewUser{"u@example.com", "password123", "U", Role::sales});
    previous = user.updated_at;
    for (int i = 1; i <= 3; ++i) {
        UserUpdate update;
        update.name = "U " + std::to_string(i);
        if (i == 2) update.password = "password456";  // a new hash, the rest as given
        User updated = svc.update_user(sys, user.id, update);
        CHECK(updated == svc.get_user(sys, user.id));
        CHECK(updated.updated_at > previous);
        previous = updated.updated_at;
    }
    CHECK(svc.login("u@example.com", "password456").user == svc.get_user(sys, user.id));
}
