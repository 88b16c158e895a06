// The stores on both backends: round trips, constraints, cascades, lists.
#include "changes.hpp"
#include "stores.hpp"
#include "support.hpp"

#include <doctest/doctest.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <set>

using namespace crm;
using namespace crm::detail;
using crm::test::ScratchDatabase;
using crm::test::code_of;

namespace {

template <class Work>
auto tx(Database& db, Work&& work) {
    return in_transaction(impl_of(db), Transaction::Mode::write, std::forward<Work>(work));
}

User make_user(Database& db, std::string email, Role role = Role::sales) {
    Timestamp at = now();
    User user{Uuid::generate(), "User " + email, std::move(email), role, at, at};
    tx(db, [&](Lease& lease) { user_store::insert(lease, user, "$argon2id$dummy"); });
    return user;
}

Lead make_lead(Database& db, std::string title, std::optional<Uuid> owner = std::nullopt,
               LeadStatus status = LeadStatus::new_, std::optional<std::string> description = std::nullopt,
               std::optional<std::string> source = std::nullopt) {
    Timestamp at = now();
    Lead lead{Uuid::generate(), std::move(title), std::move(description), status, std::move(source), owner,
              std::nullopt, at, at};
    return tx(db, [&](Lease& lease) { return lead_store::insert(lease, lead); });
}

Activity make_activity(Database& db, const Uuid& lead, std::optional<Uuid> author, std::string body = "note") {
    Timestamp at = now();
    Activity a{Uuid::generate(), lead, ActivityType::note, std::move(body), author, at, at};
    tx(db, [&](Lease& lease) { activity_store::insert(lease, a); });
    return a;
}

ListSlice<Lead> list(Database& db, const LeadFilter& f, const LeadSort& s = {}, PageRequest p = {1, 100}) {
    return with_lease(impl_of(db), [&](Lease& lease) { return lead_store::list(lease, f, s, ListWindow(p, std::nullopt)); });
}

std::vector<std::string> titles(const ListSlice<Lead>& page) {
    std::vector<std::string> out;
    for (auto& l : page.items) out.push_back(l.title);
    return out;
}

}  // namespace

TEST_CASE("db: every lead field round-trips verbatim") {
    ScratchDatabase scratch;
    auto& db = scratch.db();
    auto owner = make_user(db, "owner@example.com");
    const std::string strange = R"('; DROP TABLE "Leads"; -- 100% _under_ back\slash \\ "quotes" ñ 漢字 🚀)";
    const std::string big(100 * 1024, 'x');
    const std::string metadata =
        R"({"nested":{"list":[1,2.5,"three",null,true],"deep":{"k":"v"}},"big":12345678901234567890,"exact":0.1,"emoji":"🎉"})";
    Timestamp at = now();
    Lead lead{Uuid::generate(), strange, big + strange, LeadStatus::qualified, "ref: 50% _off_",
              owner.id,         metadata, at,           at};
    Lead stored = tx(db, [&](Lease& lease) { return lead_store::insert(lease, lead); });
    auto found = with_lease(impl_of(db), [&](Lease& lease) { return lead_store::find(lease, lead.id); });
    REQUIRE(found);
    CHECK(found->title == strange);
    CHECK(found->description == big + strange);
    CHECK(found->status == LeadStatus::qualified);
    CHECK(found->source == "ref: 50% _off_");
    CHECK(found->owner_id == owner.id);
    CHECK(found->created_at == at);
    CHECK(found->updated_at == at);
    CHECK(*found == stored);
    // jsonb may reorder keys and spacing; the values, numbers included, must be exact.
    REQUIRE(found->metadata);
    CHECK(nlohmann::json::parse(*found->metadata) == nlohmann::json::parse(metadata));
    CHECK(found->metadata->find("12345678901234567890") != std::string::npos);
    CHECK(found->metadata->find("0.1") != std::string::npos);
    // The table survived the string that looked like an injection.
    CHECK(list(db, {}).total == 1);
}

TEST_CASE("db: users, activities and refresh tokens round-trip") {
    ScratchDatabase scratch;
    auto& db = scratch.db();
    auto user = make_user(db, "ünïcødé+tag@example.com", Role::manager);
    auto found = with_lease(impl_of(db), [&](Lease& lease) { return user_store::find_credentials(lease, user.id); });
    REQUIRE(found);
    CHECK(found->user == user);
    CHECK(found->password_hash == "$argon2id$dummy");
    auto lead = make_lead(db, "lead");
    auto activity = make_activity(db, lead.id, user.id, "called 📞 about 100% of it");
    auto a = with_lease(impl_of(db), [&](Lease& lease) { return activity_store::find(lease, activity.id); });
    REQUIRE(a);
    CHECK(*a == activity);

    Timestamp at = now();
    RefreshToken token{Uuid::generate(), user.id, std::string(64, 'a'), at + std::chrono::hours(1), std::nullopt,
                       std::nullopt, at, at};
    tx(db, [&](Lease& lease) { refresh_token_store::insert(lease, token); });
    auto t = tx(db, [&](Lease& lease) { return refresh_token_store::find_by_hash_for_update(lease, token.token_hash); });
    REQUIRE(t);
    CHECK(*t == token);
}

TEST_CASE("db: partial update changes only the given fields and advances updatedAt") {
    ScratchDatabase scratch;
    auto& db = scratch.db();
    auto lead = make_lead(db, "before", std::nullopt, LeadStatus::new_, "desc", "web");
    LeadChanges changes;
    changes.status = LeadStatus::contacted;
    changes.source = std::optional<std::string>{};  // set to null
    auto updated = tx(db, [&](Lease& lease) { return lead_store::update(lease, apply(lead, changes, lead.updated_at)); });
    REQUIRE(updated);
    CHECK(updated->title == "before");
    CHECK(updated->description == "desc");
    CHECK(updated->status == LeadStatus::contacted);
    CHECK_FALSE(updated->source);
    CHECK(updated->created_at == lead.created_at);
    CHECK(updated->updated_at > lead.updated_at);
    Lead ghost = lead;
    ghost.id = Uuid::generate();
    auto missing = tx(db, [&](Lease& lease) { return lead_store::update(lease, apply(ghost, changes, now())); });
    CHECK_FALSE(missing);
}

TEST_CASE("db: constraint violations become typed errors") {
    ScratchDatabase scratch;
    auto& db = scratch.db();
    make_user(db, "taken@example.com");
    SUBCASE("duplicate email differing only in case is a conflict") {
        Timestamp at = now();
        User dup{Uuid::generate(), "dup", "TAKEN@Example.com", Role::sales, at, at};
        CHECK(code_of([&] { tx(db, [&](Lease& lease) { user_store::insert(lease, dup, "h"); }); }) == Errc::conflict);
    }
    SUBCASE("an enum value out of range is invalid") {
        Timestamp at = now();
        Lead bad{Uuid::generate(), "t", std::nullopt, static_cast<LeadStatus>(42), std::nullopt, std::nullopt,
                 std::nullopt, at, at};
        CHECK(code_of([&] { tx(db, [&](Lease& lease) { (void)lead_store::insert(lease, bad); }); }) == Errc::invalid);
    }
    SUBCASE("an unknown ownerId is invalid and names the field") {
        try {
            make_lead(db, "orphan", Uuid::generate());
            FAIL("inserted");
        } catch (const Error& e) {
            CHECK(e.code() == Errc::invalid);
            REQUIRE(e.field_errors().size() == 1);
            CHECK(e.field_errors()[0].field == "ownerId");
            CHECK(std::string(e.what()).find("INSERT") == std::string::npos);
        }
    }
    SUBCASE("metadata that is not an object is invalid") {
        Timestamp at = now();
        Lead bad{Uuid::generate(), "t", std::nullopt, LeadStatus::new_, std::nullopt, std::nullopt, "[1,2]", at, at};
        CHECK(code_of([&] { tx(db, [&](Lease& lease) { (void)lead_store::insert(lease, bad); }); }) == Errc::invalid);
    }
    SUBCASE("a failed write leaves nothing behind") {
        CHECK(list(db, {}).total == 0);
    }
}

TEST_CASE("db: deleting a user keeps their leads and activities, deletes their tokens") {
    ScratchDatabase scratch;
    auto& db = scratch.db();
    auto user = make_user(db, "leaving@example.com");
    auto stays = make_user(db, "stays@example.com");
    auto lead = make_lead(db, "owned", user.id);
    auto activity = make_activity(db, lead.id, user.id);
    Timestamp at = now();
    for (const auto* who : {&user, &stays})
        tx(db, [&](Lease& lease) {
            refresh_token_store::insert(lease, RefreshToken{Uuid::generate(), who->id, who->email + "-hash",
                                                            at + std::chrono::hours(1), std::nullopt, std::nullopt, at, at});
        });
    CHECK(tx(db, [&](Lease& lease) { return user_store::remove(lease, user.id); }));
    auto l = with_lease(impl_of(db), [&](Lease& lease) { return lead_store::find(lease, lead.id); });
    REQUIRE(l);
    CHECK_FALSE(l->owner_id);
    auto a = with_lease(impl_of(db), [&](Lease& lease) { return activity_store::find(lease, activity.id); });
    REQUIRE(a);
    CHECK_FALSE(a->created_by);
    auto live = [&](const User& u) {
        return with_lease(impl_of(db), [&](Lease& lease) { return refresh_token_store::count_live_for_user(lease, u.id, now()); });
    };
    CHECK(live(user) == 0);
    CHECK(live(stays) == 1);
    CHECK(tx(db, [&](Lease& lease) { return refresh_token_store::find_by_hash_for_update(lease, user.email + "-hash"); }) ==
          std::nullopt);
}

TEST_CASE("db: deleting a lead deletes its activities only") {
    ScratchDatabase scratch;
    auto& db = scratch.db();
    auto doomed = make_lead(db, "doomed");
    auto kept = make_lead(db, "kept");
    auto a1 = make_activity(db, doomed.id, std::nullopt);
    auto a2 = make_activity(db, kept.id, std::nullopt);
    CHECK(tx(db, [&](Lease& lease) { return lead_store::remove(lease, doomed.id); }));
    CHECK_FALSE(tx(db, [&](Lease& lease) { return lead_store::remove(lease, doomed.id); }));
    CHECK_FALSE(with_lease(impl_of(db), [&](Lease& lease) { return activity_store::find(lease, a1.id); }));
    CHECK(with_lease(impl_of(db), [&](Lease& lease) { return activity_store::find(lease, a2.id); }));
}

TEST_CASE("db: lead lists filter, sort and page") {
    ScratchDatabase scratch;
    auto& db = scratch.db();
    auto alice = make_user(db, "alice@example.com");
    auto bob = make_user(db, "bob@example.com");
    make_lead(db, "Bravo", alice.id, LeadStatus::closed, "Has 100% margin", "web");
    make_lead(db, "alpha", alice.id, LeadStatus::new_, "plain", "fair");
    make_lead(db, "Charlie_x", bob.id, LeadStatus::qualified, std::nullopt, "web");
    make_lead(db, "delta", std::nullopt, LeadStatus::contacted, "under_score and 100 percent", std::nullopt);
    make_lead(db, "Echo", bob.id, LeadStatus::new_, R"(back\slash)", "web");

    using V = std::vector<std::string>;
    auto sorted = [&](const LeadFilter& f) {
        auto t = titles(list(db, f, LeadSort{LeadSortKey::title, false}));
        return t;
    };
    SUBCASE("status, one or several") {
        CHECK(sorted(LeadFilter{{LeadStatus::new_}, {}, {}, {}}) == V{"Echo", "alpha"});
        CHECK(sorted(LeadFilter{{LeadStatus::closed, LeadStatus::qualified}, {}, {}, {}}) == V{"Bravo", "Charlie_x"});
    }
    SUBCASE("owner, and unowned") {
        CHECK(sorted(LeadFilter{{}, std::optional<Uuid>(bob.id), {}, {}}) == V{"Charlie_x", "Echo"});
        CHECK(sorted(LeadFilter{{}, std::optional<Uuid>{}, {}, {}}) == V{"delta"});
    }
    SUBCASE("source") { CHECK(sorted(LeadFilter{{}, {}, "web", {}}) == V{"Bravo", "Charlie_x", "Echo"}); }
    SUBCASE("q is a case-insensitive substring of title or description") {
        CHECK(sorted(LeadFilter{{}, {}, {}, "ALPHA"}) == V{"alpha"});
        CHECK(sorted(LeadFilter{{}, {}, {}, "margin"}) == V{"Bravo"});
        CHECK(sorted(LeadFilter{{}, {}, {}, "nothing-like-this"}).empty());
    }
    SUBCASE("LIKE wildcards in q match literally") {
        CHECK(sorted(LeadFilter{{}, {}, {}, "%"}) == V{"Bravo"});
        CHECK(sorted(LeadFilter{{}, {}, {}, "_"}) == V{"Charlie_x", "delta"});
        CHECK(sorted(LeadFilter{{}, {}, {}, "\\"}) == V{"Echo"});
        CHECK(sorted(LeadFilter{{}, {}, {}, "!"}).empty());
    }
    SUBCASE("filters combine") {
        CHECK(sorted(LeadFilter{{LeadStatus::new_}, std::optional<Uuid>(bob.id), "web", "ech"}) == V{"Echo"});
    }
    SUBCASE("sort keys, both directions") {
        CHECK(titles(list(db, {}, LeadSort{LeadSortKey::title, true})) == V{"delta", "alpha", "Echo", "Charlie_x", "Bravo"});
        CHECK(titles(list(db, {}, LeadSort{LeadSortKey::created_at, false})) ==
              V{"Bravo", "alpha", "Charlie_x", "delta", "Echo"});
        CHECK(titles(list(db, {}, LeadSort{LeadSortKey::created_at, true})) ==
              V{"Echo", "delta", "Charlie_x", "alpha", "Bravo"});
        auto by_status = list(db, {}, LeadSort{LeadSortKey::status, false});
        std::vector<LeadStatus> statuses;
        for (auto& l : by_status.items) statuses.push_back(l.status);
        CHECK(std::is_sorted(statuses.begin(), statuses.end()));  // pipeline order, not alphabetical
        CHECK(statuses.front() == LeadStatus::new_);
        CHECK(statuses.back() == LeadStatus::closed);
        // Ties (two NEW leads) are broken by id in the sort's direction.
        CHECK(by_status.items[0].id < by_status.items[1].id);
        auto desc = list(db, {}, LeadSort{LeadSortKey::status, true});
        CHECK(desc.items[3].id > desc.items[4].id);
    }
    SUBCASE("updatedAt sort follows the latest change") {
        auto first = list(db, {}, LeadSort{LeadSortKey::created_at, false}).items.front();
        LeadChanges c;
        c.source = std::optional<std::string>("changed");
        tx(db, [&](Lease& lease) { return lead_store::update(lease, apply(first, c, now() + std::chrono::seconds(1))); });
        CHECK(list(db, {}, LeadSort{LeadSortKey::updated_at, true}).items.front().id == first.id);
    }
}

TEST_CASE("db: paging through every lead gives each exactly once, with the total") {
    ScratchDatabase scratch;
    auto& db = scratch.db();
    constexpr int n = 57;
    for (int i = 0; i < n; ++i) make_lead(db, "same title", std::nullopt, static_cast<LeadStatus>(i % 4));
    for (auto sort : {LeadSort{}, LeadSort{LeadSortKey::title, false}, LeadSort{LeadSortKey::status, true}}) {
        std::set<Uuid> seen;
        std::size_t rows = 0;
        for (std::int64_t page = 1;; ++page) {
            auto p = list(db, {}, sort, PageRequest{page, 10});
            CHECK(p.total == n);
            CHECK(p.more == (page < 6));
            if (p.items.empty()) break;
            rows += p.items.size();
            for (auto& l : p.items) seen.insert(l.id);
        }
        CHECK(rows == n);
        CHECK(seen.size() == n);
    }
    auto past_end = list(db, {}, {}, PageRequest{99, 10});
    CHECK(past_end.items.empty());
    CHECK(past_end.total == n);
}

TEST_CASE("db: activities of a lead come newest first, paginated") {
    ScratchDatabase scratch;
    auto& db = scratch.db();
    auto lead = make_lead(db, "lead");
    auto other = make_lead(db, "other");
    std::vector<Uuid> ids;
    for (int i = 0; i < 7; ++i) ids.push_back(make_activity(db, lead.id, std::nullopt, std::to_string(i)).id);
    make_activity(db, other.id, std::nullopt);
    auto page1 = with_lease(impl_of(db), [&](Lease& lease) { return activity_store::list_for_lead(lease, lead.id, ListWindow({1, 5}, std::nullopt)); });
    auto page2 = with_lease(impl_of(db), [&](Lease& lease) { return activity_store::list_for_lead(lease, lead.id, ListWindow({2, 5}, std::nullopt)); });
    CHECK(page1.total == 7);
    REQUIRE(page1.items.size() == 5);
    REQUIRE(page2.items.size() == 2);
    CHECK(page1.items[0].id == ids[6]);
    CHECK(page2.items[1].id == ids[0]);
}

TEST_CASE("db: users list oldest first with the total") {
    ScratchDatabase scratch;
    auto& db = scratch.db();
    for (int i = 0; i < 5; ++i) make_user(db, "u" + std::to_string(i) + "@example.com");
    auto page = with_lease(impl_of(db), [&](Lease& lease) { return user_store::list(lease, ListWindow({2, 2}, std::nullopt)); });
    CHECK(page.total == 5);
    REQUIRE(page.items.size() == 2);
    CHECK(page.items[0].email == "u2@example.com");
}

TEST_CASE("db: statements kept prepared per connection never return stale rows") {
    DatabaseOptions one;
    one.pool_size = 1;  // every read below reuses the same connection and its cached statement
    ScratchDatabase scratch(true, one);
    auto& db = scratch.db();
    Database other = scratch.reopen(one);
    auto lead = make_lead(db, "first");
    auto read = [&] { return with_lease(impl_of(db), [&](Lease& lease) { return lead_store::find(lease, lead.id); }); };
    CHECK(read()->title == "first");
    // Another connection (another process, say) changes and then deletes the row.
    LeadChanges rename;
    rename.title = "second";
    tx(other, [&](Lease& lease) { return lead_store::update(lease, apply(lead, rename, now())); });
    // Any other statement on the first connection sees the change too (no snapshot left open).
    CHECK(titles(list(db, {})) == std::vector<std::string>{"second"});
    CHECK(read()->title == "second");
    tx(other, [&](Lease& lease) { return lead_store::remove(lease, lead.id); });
    CHECK_FALSE(read());
    // The connection that holds the cached statement can still write (no lingering read lock).
    CHECK_NOTHROW(make_lead(db, "still writable"));
}
