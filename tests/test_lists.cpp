// Lists: page mode and keyset cursors agree, cursors are bound to their list, search folds case.
// Every case runs on both backends.
#include "casefold.hpp"
#include "db.hpp"
#include "stores.hpp"
#include "support.hpp"

#include <doctest/doctest.h>

#include <algorithm>
#include <map>
#include <random>
#include <regex>
#include <set>
#include <sstream>

using namespace crm;
using crm::test::ScratchDatabase;

namespace {

struct Fixture {
    ScratchDatabase scratch;
    Service svc{scratch.db(), test::fast_auth_options()};
    Principal sys = Principal::system();
    User sales_user = svc.create_user(sys, NewUser{"sales@example.com", "password123", "S", Role::sales});
    User manager_user = svc.create_user(sys, NewUser{"manager@example.com", "password123", "M", Role::manager});
    Principal sales = as("sales@example.com");
    Principal manager = as("manager@example.com");

    Principal as(const char* email) { return svc.authenticate(svc.login(email, "password123").tokens.access_token); }

    // The titles of the leads that `q` finds (one default page), as a multiset.
    std::multiset<std::string> titles_matching(const std::string& q) {
        LeadFilter f;
        f.q = q;
        std::multiset<std::string> found;
        for (auto& l : svc.list_leads(sys, f, {}, {}).items) found.insert(l.title);
        return found;
    }

    // Titles repeat and statuses cycle so that every sort has ties broken by id.
    std::vector<Lead> add_leads(int n, int offset = 0) {
        std::vector<NewLead> batch;
        for (int i = offset; i < offset + n; ++i) {
            NewLead l{"title " + std::to_string(i % 7), "about " + std::to_string(i), static_cast<LeadStatus>(i % 4),
                      i % 3 == 0 ? std::optional<std::string>("web") : std::nullopt, {}, {}};
            if (i % 5 == 0) l.owner_id = std::optional<Uuid>{};  // unowned
            else if (i % 2 == 0) l.owner_id = std::optional<Uuid>(sales_user.id);
            else l.owner_id = std::optional<Uuid>(manager_user.id);
            batch.push_back(l);
        }
        return svc.create_leads(sys, batch);
    }

    // Every row of a list in page mode (one big page).
    std::vector<Uuid> all(const Principal& who, const LeadFilter& f, const LeadSort& s) {
        std::vector<Uuid> ids;
        for (std::int64_t page = 1;; ++page) {
            auto p = svc.list_leads(who, f, s, PageRequest{page, 100});
            for (auto& l : p.items) ids.push_back(l.id);
            if (!p.next_cursor) break;
        }
        return ids;
    }
};

std::vector<LeadSort> every_sort() {
    std::vector<LeadSort> sorts;
    for (auto key : {LeadSortKey::created_at, LeadSortKey::updated_at, LeadSortKey::title, LeadSortKey::status})
        for (bool descending : {false, true}) sorts.push_back(LeadSort{key, descending});
    return sorts;
}

std::vector<LeadFilter> some_filters(const Uuid& owner) {
    std::vector<LeadFilter> filters(7);
    filters[1].statuses = {LeadStatus::closed, LeadStatus::new_};
    filters[2].owner_id = std::optional<Uuid>(owner);
    filters[3].owner_id = std::optional<Uuid>{};
    filters[4].source = "web";
    filters[5].q = "ABOUT 1";
    filters[6].statuses = {LeadStatus::contacted};
    filters[6].source = "web";
    return filters;
}

}  // namespace

TEST_CASE("db: paging by cursor gives every row once and in order, for every sort and filter, despite inserts") {
    Fixture fx;
    (void)fx.add_leads(45);
    int inserted = 1000;
    for (const auto& sort : every_sort()) {
        for (const auto& filter : some_filters(fx.sales_user.id)) {
            for (const Principal* who : {&fx.manager, &fx.sales}) {
                auto expected = fx.all(*who, filter, sort);
                std::set<Uuid> before(expected.begin(), expected.end());
                // Page mode totals are exact.
                auto first = fx.svc.list_leads(*who, filter, sort, PageRequest{1, 4});
                CHECK(first.total == static_cast<std::int64_t>(expected.size()));
                CHECK(first.page == 1);
                std::vector<Uuid> walked;
                std::set<Uuid> seen;
                for (auto& l : first.items) walked.push_back(l.id);
                auto cursor = first.next_cursor;
                std::vector<Lead> added;
                while (cursor) {
                    // Concurrent inserts between two pages (a few, so that the walk ends).
                    if (added.size() < 3) added.push_back(fx.add_leads(1, inserted++).at(0));
                    auto p = fx.svc.list_leads(*who, filter, sort, PageRequest{*cursor, 4});
                    CHECK(p.page == 0);
                    CHECK_FALSE(p.total.has_value());
                    CHECK_FALSE(p.total_pages().has_value());
                    for (auto& l : p.items) walked.push_back(l.id);
                    cursor = p.next_cursor;
                }
                for (auto& id : walked) CHECK_MESSAGE(seen.insert(id).second, "a row came twice");
                // The rows that existed at the start all came, in the page-mode order.
                std::vector<Uuid> old_rows;
                std::copy_if(walked.begin(), walked.end(), std::back_inserter(old_rows),
                             [&](const Uuid& id) { return before.count(id) > 0; });
                CHECK(old_rows == expected);
                for (auto& l : added) fx.svc.delete_lead(fx.sys, l.id);
            }
        }
    }
}

TEST_CASE("db: page mode and cursor mode return the same rows, with the total when asked") {
    Fixture fx;
    (void)fx.add_leads(23);
    LeadSort sort{LeadSortKey::title, false};
    std::vector<Uuid> by_page, by_cursor;
    for (std::int64_t page = 1; page <= 5; ++page) {
        auto p = fx.svc.list_leads(fx.manager, {}, sort, PageRequest{page, 5});
        CHECK(p.total == 23);
        CHECK(p.total_pages() == 5);
        CHECK(p.next_cursor.has_value() == (page < 5));
        for (auto& l : p.items) by_page.push_back(l.id);
    }
    auto p = fx.svc.list_leads(fx.manager, {}, sort, PageRequest{1, 5});
    for (;;) {
        for (auto& l : p.items) by_cursor.push_back(l.id);
        if (!p.next_cursor) break;
        p = fx.svc.list_leads(fx.manager, {}, sort, PageRequest{*p.next_cursor, 5, true});
        CHECK(p.total == 23);
        CHECK(p.total_pages() == 5);
    }
    CHECK(by_page == by_cursor);
    CHECK(by_page.size() == 23);
    // Past the end: no rows, the exact total, no cursor.
    auto beyond = fx.svc.list_leads(fx.manager, {}, sort, PageRequest{9, 5});
    CHECK(beyond.items.empty());
    CHECK(beyond.total == 23);
    CHECK_FALSE(beyond.next_cursor);
}

// SQLite keeps list statements prepared per connection, at most a bounded number of them: more
// shapes than the bound (filters × sorts × both modes) go round twice, and each list must see the
// delete in between (a kept statement holds no old snapshot) and otherwise the same rows.
TEST_CASE("db: lists see every write and stay right past the bound of kept statements") {
    Fixture fx;
    (void)fx.add_leads(30);
    struct Shape {
        LeadFilter filter;
        LeadSort sort;
        PageRequest page;
    };
    std::vector<Shape> shapes;
    for (const auto& f : some_filters(fx.sales_user.id))
        for (const auto& s : every_sort())
            for (bool with_cursor_mode_total : {false, true})
                shapes.push_back({f, s, with_cursor_mode_total ? PageRequest{std::string(), 50, true} : PageRequest{1, 50}});
    REQUIRE(shapes.size() > detail::Lease::max_cached_statements);
    using Result = std::pair<std::vector<Uuid>, std::optional<std::int64_t>>;
    auto run = [&](const Shape& shape) -> Result {
        PageRequest page = shape.page;
        if (page.cursor) {  // the first page in cursor mode: a cursor from a one-row page
            auto first = fx.svc.list_leads(fx.manager, shape.filter, shape.sort, PageRequest{1, 1});
            if (!first.next_cursor) return {};
            page.cursor = first.next_cursor;
        }
        std::vector<Uuid> ids;
        if (page.cursor)  // the row the cursor is on, so that the victim may be any row
            ids.push_back(fx.svc.list_leads(fx.manager, shape.filter, shape.sort, PageRequest{1, 1}).items.at(0).id);
        auto p = fx.svc.list_leads(fx.manager, shape.filter, shape.sort, page);
        for (auto& l : p.items) ids.push_back(l.id);
        return {ids, p.total};
    };
    std::vector<Result> before;
    for (const auto& shape : shapes) before.push_back(run(shape));
    // Delete a lead that most lists hold (not the first row: cursor mode starts after it).
    auto victim = fx.all(fx.manager, {}, LeadSort{LeadSortKey::created_at, false}).at(12);
    fx.svc.delete_lead(fx.sys, victim);
    std::size_t changed = 0;
    for (std::size_t i = 0; i < shapes.size(); ++i) {
        auto expected = before[i];
        auto at = std::find(expected.first.begin(), expected.first.end(), victim);
        if (at != expected.first.end()) {
            expected.first.erase(at);
            expected.second = *expected.second - 1;
            ++changed;
        }
        CAPTURE(i);
        CHECK(run(shapes[i]) == expected);
    }
    CHECK(changed > shapes.size() / 4);
}

TEST_CASE("db: a cursor is refused for another sort, filter, list or scope, and when altered") {
    Fixture fx;
    (void)fx.add_leads(30);
    auto refused = [](const std::function<void()>& call) {
        try {
            call();
            return false;
        } catch (const Error& e) {
            return e.code() == Errc::invalid && !e.field_errors().empty() &&
                   (e.field_errors().front().field == "cursor" || e.field_errors().front().field == "page");
        }
    };
    auto p = fx.svc.list_leads(fx.manager, {}, {}, PageRequest{1, 3});
    REQUIRE(p.next_cursor);
    std::string cursor = *p.next_cursor;
    // It works for the list it was made for.
    CHECK(fx.svc.list_leads(fx.manager, {}, {}, PageRequest{cursor, 3}).items.size() == 3);
    // Another manager shares the scope, so the cursor is theirs too.
    User other = fx.svc.create_user(fx.sys, NewUser{"m2@example.com", "password123", "M2", Role::manager});
    CHECK(fx.svc.list_leads(fx.as("m2@example.com"), {}, {}, PageRequest{cursor, 3}).items.size() == 3);
    (void)other;

    CHECK(refused([&] { (void)fx.svc.list_leads(fx.manager, {}, LeadSort{LeadSortKey::title, true}, PageRequest{cursor, 3}); }));
    CHECK(refused([&] { (void)fx.svc.list_leads(fx.manager, {}, LeadSort{LeadSortKey::created_at, false}, PageRequest{cursor, 3}); }));
    LeadFilter web;
    web.source = "web";
    CHECK(refused([&] { (void)fx.svc.list_leads(fx.manager, web, {}, PageRequest{cursor, 3}); }));
    // SALES never reads through a MANAGER's cursor, not even a page of their own rows.
    CHECK(refused([&] { (void)fx.svc.list_leads(fx.sales, {}, {}, PageRequest{cursor, 3}); }));
    LeadFilter mine;
    mine.owner_id = std::optional<Uuid>(fx.sales_user.id);
    CHECK(refused([&] { (void)fx.svc.list_leads(fx.sales, mine, {}, PageRequest{cursor, 3}); }));
    // Another list.
    CHECK(refused([&] { (void)fx.svc.list_users(fx.sys, PageRequest{cursor, 3}); }));
    auto users = fx.svc.list_users(fx.sys, PageRequest{1, 1});
    REQUIRE(users.next_cursor);
    CHECK(refused([&] { (void)fx.svc.list_leads(fx.manager, {}, {}, PageRequest{*users.next_cursor, 3}); }));
    // Tampered: every single character changed in turn, and garbage.
    for (std::size_t i = 0; i < cursor.size(); ++i) {
        std::string bad = cursor;
        bad[i] = bad[i] == 'A' ? 'B' : 'A';
        CHECK(refused([&] { (void)fx.svc.list_leads(fx.manager, {}, {}, PageRequest{bad, 3}); }));
    }
    for (const std::string& garbage : std::vector<std::string>{"x", "!!!", "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", std::string(5000, 'A'),
                                cursor + "A", cursor.substr(0, cursor.size() - 1)})
        CHECK(refused([&] { (void)fx.svc.list_leads(fx.manager, {}, {}, PageRequest{garbage, 3}); }));
    // A cursor with a page other than 1.
    PageRequest both{cursor, 3};
    both.page = 2;
    CHECK(refused([&] { (void)fx.svc.list_leads(fx.manager, {}, {}, both); }));
    // A cursor made with another secret.
    auto options = test::fast_auth_options();
    options.jwt_secret = std::string(40, 'z');
    Service elsewhere(fx.scratch.db(), options);
    CHECK(refused([&] { (void)elsewhere.list_leads(Principal::system(), {}, {}, PageRequest{cursor, 3}); }));
    // ...while a second service with the same secret accepts it.
    Service twin(fx.scratch.db(), test::fast_auth_options());
    CHECK(twin.list_leads(fx.manager, {}, {}, PageRequest{cursor, 3}).items.size() == 3);
}

TEST_CASE("db: activities and users page by cursor") {
    Fixture fx;
    (void)fx.add_leads(1);
    auto lead = fx.svc.list_leads(fx.sys, {}, {}, {}).items.at(0);
    auto other = fx.svc.create_lead(fx.sys, NewLead{"other", {}, {}, {}, {}, {}});
    std::vector<Uuid> made;
    for (int i = 0; i < 11; ++i)
        made.push_back(fx.svc.create_activity(fx.sys, NewActivity{lead.id, ActivityType::note, std::to_string(i)}).id);
    std::reverse(made.begin(), made.end());  // newest first
    std::vector<Uuid> walked;
    auto p = fx.svc.list_activities(fx.sys, lead.id, PageRequest{1, 4});
    CHECK(p.total == 11);
    for (;;) {
        for (auto& a : p.items) walked.push_back(a.id);
        if (!p.next_cursor) break;
        p = fx.svc.list_activities(fx.sys, lead.id, PageRequest{*p.next_cursor, 4});
    }
    CHECK(walked == made);
    auto first = fx.svc.list_activities(fx.sys, lead.id, PageRequest{1, 4});
    CHECK(test::code_of([&] { (void)fx.svc.list_activities(fx.sys, other.id, PageRequest{*first.next_cursor, 4}); }) == Errc::invalid);

    for (int i = 0; i < 5; ++i)
        (void)fx.svc.create_user(fx.sys, NewUser{"u" + std::to_string(i) + "@example.com", "password123", {}, Role::sales});
    std::vector<Uuid> by_page, by_cursor;
    for (auto& u : fx.svc.list_users(fx.sys, PageRequest{1, 100}).items) by_page.push_back(u.id);
    auto users = fx.svc.list_users(fx.sys, PageRequest{1, 2});
    for (;;) {
        for (auto& u : users.items) by_cursor.push_back(u.id);
        if (!users.next_cursor) break;
        users = fx.svc.list_users(fx.sys, PageRequest{*users.next_cursor, 2, true});
        CHECK(users.total == 7);
    }
    CHECK(by_cursor == by_page);
    CHECK(by_page.size() == 7);
}

TEST_CASE("db: q folds case across Unicode and matches %, _ and \\ literally") {
    Fixture fx;
    for (const char* title : {"ärger im büro", "Σίσυφος", "Straße", "50% off", "a_b", "back\\slash", "plain", "ÉCOLE"})
        (void)fx.svc.create_lead(fx.sys, NewLead{title, {}, {}, {}, {}, {}});
    (void)fx.svc.create_lead(fx.sys, NewLead{"by description", "Große ÜBUNG", {}, {}, {}, {}});
    auto titles = [&](const std::string& q) { return fx.titles_matching(q); };
    using S = std::multiset<std::string>;
    CHECK(titles("ÄRGER") == S{"ärger im büro"});
    CHECK(titles("BÜRO") == S{"ärger im büro"});
    CHECK(titles("ΣΊΣΥΦΟΣ") == S{"Σίσυφος"});
    CHECK(titles("σίσυφος") == S{"Σίσυφος"});
    CHECK(titles("STRAẞE") == S{"Straße"});
    CHECK(titles("straße") == S{"Straße"});
    CHECK(titles("école") == S{"ÉCOLE"});
    CHECK(titles("übung") == S{"by description"});
    CHECK(titles("ä") == S{"ärger im büro"});  // shorter than a trigram: still found
    CHECK(titles("%") == S{"50% off"});
    CHECK(titles("_") == S{"a_b"});
    CHECK(titles("\\") == S{"back\\slash"});
    CHECK(titles("0% o") == S{"50% off"});
    CHECK(titles("a%b").empty());
    CHECK(titles("!").empty());
    CHECK(titles("nothing like it").empty());
}

// Migration 5 (PostgreSQL) stores the folded title and description in generated columns that the
// search reads: a database that had leads before it must find them afterwards, and a search must
// still be answered from the trigram index now on those columns. On SQLite the migration is empty
// and the same steps check that re-applying it changes nothing.
TEST_CASE("db: leads stored before migration 5 are found by q after it, from the trigram index") {
    Fixture fx;
    (void)fx.svc.create_lead(fx.sys, NewLead{"Ärger im Büro", "Große ÜBUNG", {}, {}, {}, {}});
    (void)fx.svc.create_lead(fx.sys, NewLead{"plain", {}, {}, {}, {}, {}});
    const bool pg = test::backend() == Backend::postgresql;
    detail::with_lease(detail::impl_of(fx.scratch.db()), [&](detail::Lease& lease) {
        // Back to version 4: no folded columns (their indexes go with them), no ledger row.
        if (pg) lease.sql() << R"(ALTER TABLE "Leads" DROP COLUMN "titleFolded", DROP COLUMN "descriptionFolded")";
        lease.sql() << R"(DELETE FROM "SchemaMigrations" WHERE version = 5)";
    });
    CHECK(fx.scratch.db().schema_version() == 4);
    if (pg) {
        // The library's search needs the columns: an unmigrated database says so, not "internal".
        try {
            (void)fx.titles_matching("ärger");
            FAIL("searched a database at schema version 4");
        } catch (const Error& e) {
            CHECK(e.code() == Errc::unavailable);
            CHECK(std::string(e.what()).find("not migrated") != std::string::npos);
        }
    }
    fx.scratch.db().migrate();
    CHECK(fx.scratch.db().schema_version() == Database::latest_schema_version());
    auto titles = [&](const std::string& q) { return fx.titles_matching(q); };
    CHECK(titles("ärger") == std::multiset<std::string>{"Ärger im Büro"});
    CHECK(titles("große übung") == std::multiset<std::string>{"Ärger im Büro"});
    if (!pg) return;
    detail::with_lease(detail::impl_of(fx.scratch.db()), [&](detail::Lease& lease) {
        long long trgm = 0, folded = 0;
        lease.sql() << "SELECT count(*) FROM pg_extension WHERE extname = 'pg_trgm'", soci::into(trgm);
        lease.sql() << R"(SELECT count(*) FROM "Leads" WHERE "titleFolded" = crm_fold(title))", soci::into(folded);
        CHECK(folded == 2);
        if (!trgm) return;  // a server without pg_trgm: the search scans (tested above), no index to see
        lease.sql() << "SET enable_seqscan = off";
        std::string plan, line;
        soci::rowset<std::string> rows = (lease.sql().prepare << R"(EXPLAIN SELECT id FROM "Leads" WHERE "titleFolded" LIKE crm_fold('%ärger%') ESCAPE '!')");
        for (const auto& r : rows) plan += r + "\n";
        lease.sql() << "RESET enable_seqscan";
        CAPTURE(plan);
        CHECK(plan.find("Leads_title_trgm") != std::string::npos);
        // Where btree_gin could be had, the owner is in the same index (a SALES user's search).
        long long btree_gin = 0;
        lease.sql() << "SELECT count(*) FROM pg_extension WHERE extname = 'btree_gin'", soci::into(btree_gin);
        std::string definition;
        lease.sql() << R"(SELECT indexdef FROM pg_indexes WHERE indexname = 'Leads_title_trgm')", soci::into(definition);
        CAPTURE(definition);
        CHECK((definition.find(R"(("ownerId", "titleFolded" gin_trgm_ops))") != std::string::npos) == (btree_gin > 0));
    });
}

// On SQLite a search page either starts from the FTS5 index (a rare word) or walks the sort index
// testing each row (a common word), chosen from how many leads match (search_by_scan in
// lead_store.cpp). Both must give what a folded substring test gives, in order, by cursor and by
// page, with exact totals, for everyone and for one owner.
TEST_CASE("db: a common word and a rare one page and count alike, whichever way the page is found") {
    Fixture fx;
    std::vector<NewLead> batch;
    for (int i = 0; i < 240; ++i) {
        std::string title = (i % 4 != 3 ? "Common Ground " : "Other ") + std::to_string(i);
        if (i % 80 == 7) title += " RareWord";
        NewLead l{title, {}, {}, {}, {}, {}};
        l.owner_id = std::optional<Uuid>(i % 2 ? fx.sales_user.id : fx.manager_user.id);
        batch.push_back(l);
    }
    (void)fx.svc.create_leads(fx.sys, batch);
    std::ostringstream statements;
    detail::with_lease(detail::impl_of(fx.scratch.db()), [&](detail::Lease& lease) { lease.sql().set_log_stream(&statements); });
    for (const char* word : {"common ground", "rareword"}) {
        for (const Principal* who : {&fx.manager, &fx.sales}) {
            // What a brute-force folded substring test finds, newest first.
            std::vector<Uuid> expected;
            LeadFilter none;
            for (const auto& id : fx.all(*who, none, LeadSort{LeadSortKey::created_at, true})) {
                auto lead = fx.svc.get_lead(fx.sys, id);
                if (detail::fold_case(lead.title).find(word) != std::string::npos) expected.push_back(id);
            }
            REQUIRE(!expected.empty());
            LeadFilter f;
            f.q = std::string(word);
            CAPTURE(word);
            CHECK(fx.all(*who, f, LeadSort{LeadSortKey::created_at, true}) == expected);
            std::vector<Uuid> by_cursor;
            auto page = fx.svc.list_leads(*who, f, LeadSort{LeadSortKey::created_at, true}, PageRequest{1, 7});
            CHECK(page.total == static_cast<std::int64_t>(expected.size()));
            for (;;) {
                for (auto& l : page.items) by_cursor.push_back(l.id);
                if (!page.next_cursor) break;
                page = fx.svc.list_leads(*who, f, LeadSort{LeadSortKey::created_at, true}, PageRequest{*page.next_cursor, 7});
            }
            CHECK(by_cursor == expected);
        }
    }
    detail::with_lease(detail::impl_of(fx.scratch.db()), [&](detail::Lease& lease) { lease.sql().set_log_stream(nullptr); });
    if (test::backend() == Backend::sqlite) {
        // Both ways were taken: the page of the common word tested rows, the rare word's used FTS5.
        CHECK(statements.str().find("crm_fold(title) LIKE") != std::string::npos);
        CHECK(statements.str().find(R"(id IN (SELECT "leadId" FROM "LeadSearchRows")") != std::string::npos);
    }
}

// The search index (SQLite: FTS5 trigrams, migration 4; PostgreSQL: pg_trgm) must give what a
// plain case-folded substring test gives, after inserts, updates of title and description, and
// deletes: a write that left the index behind would hide or resurrect leads.
TEST_CASE("db: q finds what a folded substring test finds, through creates, updates and deletes") {
    Fixture fx;
    const std::vector<std::string> words{"Acme", "ACME", "acmé", "Straße", "STRASSE", "σίσυφος", "ΣΊΣΥΦΟΣ", "50% off",
                                         "a_b", "back\\slash", "\"quoted\"", "naïve", "NAÏVE", "zebra", "Ärger"};
    std::mt19937 rng(20261202);
    auto pick = [&] { return words[rng() % words.size()]; };
    auto text = [&] { return pick() + " " + std::to_string(rng() % 10) + " " + pick(); };
    std::map<std::string, std::pair<std::string, std::optional<std::string>>> expected;  // id -> title, description
    std::vector<Uuid> ids;
    for (int i = 0; i < 60; ++i) {
        std::optional<std::string> description;
        if (i % 3) description = text();
        auto lead = fx.svc.create_lead(fx.sys, NewLead{text(), description, {}, {}, {}, {}});
        expected[lead.id.to_string()] = {lead.title, lead.description};
        ids.push_back(lead.id);
    }
    for (int i = 0; i < 60; i += 4) {  // new title, new or dropped description
        LeadChanges changes;
        changes.title = text();
        if (i % 8 == 0) changes.description = std::optional<std::string>{};
        else changes.description = std::optional<std::string>(text());
        auto lead = fx.svc.update_lead(fx.sys, ids[static_cast<std::size_t>(i)], changes);
        expected[lead.id.to_string()] = {lead.title, lead.description};
    }
    for (int i = 1; i < 60; i += 7) {
        fx.svc.delete_lead(fx.sys, ids[static_cast<std::size_t>(i)]);
        expected.erase(ids[static_cast<std::size_t>(i)].to_string());
    }
    auto contains = [](const std::string& haystack, const std::string& needle) {
        return detail::fold_case(haystack).find(detail::fold_case(needle)) != std::string::npos;
    };
    std::vector<std::string> needles{"acme", "ACMÉ", "strasse", "STRAẞE", "ΣΊΣ", "σίσυφοσ", "0% o", "a_b", "\\sl",
                                     "\"quo", "ïve", "zeb", "ärg", "9 z", "e 1 a", "a", "%", "no such text"};
    for (const auto& needle : needles) {
        CAPTURE(needle);
        std::set<std::string> want;
        for (const auto& [id, row] : expected)
            if (contains(row.first, needle) || (row.second && contains(*row.second, needle))) want.insert(id);
        LeadFilter f;
        f.q = needle;
        std::set<std::string> got;
        auto page = fx.svc.list_leads(fx.sys, f, {}, PageRequest{1, 100});
        for (auto& l : page.items) got.insert(l.id.to_string());
        CHECK(got == want);
        CHECK(page.total == static_cast<std::int64_t>(want.size()));
    }
}

namespace {

// The plan of `query` with its named parameters replaced by literals (EXPLAIN needs no real
// values: only the shape matters), one line per plan node.
std::string plan_of(detail::Lease& lease, const std::string& query, bool status_sort) {
    static const std::regex parameter(R"(:([a-z][a-z0-9]*))");
    std::string sql;
    auto last = query.cbegin();
    for (std::sregex_iterator it(query.begin(), query.end(), parameter), end; it != end; ++it) {
        sql.append(last, query.cbegin() + it->position());
        std::string name = (*it)[1];
        bool match = sql.size() >= 6 && sql.compare(sql.size() - 6, 6, "MATCH ") == 0;
        if (name == "limit") sql += "21";
        else if (name == "offset") sql += "0";
        else if (name[0] == 's' && name.rfind("source", 0) != 0) sql += "'NEW'";
        else if (name.rfind("source", 0) == 0) sql += "'web'";
        else if (name.rfind("owner", 0) == 0 || name == "ai") sql += "'0190d5a8-0000-7000-8000-000000000000'";
        else if (name == "ak") sql += status_sort ? "'1'" : "'2026-01-01T00:00:00.000Z'";
        else if (name[0] == 'q') sql += match ? "'\"about\"'" : "'%about%'";
        else FAIL("unexpected parameter :" << name << " in " << query);
        last = query.cbegin() + it->position() + it->length();
    }
    sql.append(last, query.cend());
    std::string plan;
    if (detail::is_postgresql(lease)) {
        soci::rowset<std::string> rows = lease.sql().prepare << "EXPLAIN " + sql;
        for (auto& line : rows) plan += line + "\n";
    } else {
        soci::rowset<soci::row> rows = lease.sql().prepare << "EXPLAIN QUERY PLAN " + sql;
        for (auto& row : rows) plan += row.get<std::string>(3) + "\n";
    }
    return plan;
}

}  // namespace

// Every filter and sort the contract allows (the SALES scope is the ownerId filter), in page and
// in cursor mode, is served by indexes: an ordered index scan that can stop after the page, and
// a count from an index, never a full scan of "Leads" or a sort of every matching row. On
// PostgreSQL the planner is told to avoid sequential scans and sorts, so that one in the plan
// means no index could serve. q (3 characters or more) comes from the search index.
TEST_CASE("db: every lead filter and sort is served by an index (EXPLAIN)") {
    Fixture fx;
    (void)fx.add_leads(30);
    const bool pg = test::backend() == Backend::postgresql;
    std::vector<LeadFilter> filters;
    for (int statuses = 0; statuses < 3; ++statuses)
        for (int owner = 0; owner < 3; ++owner)
            for (bool source : {false, true})
                for (bool q : {false, true}) {
                    LeadFilter f;
                    if (statuses == 1) f.statuses = {LeadStatus::new_};
                    if (statuses == 2) f.statuses = {LeadStatus::new_, LeadStatus::closed};
                    if (owner == 1) f.owner_id = std::optional<Uuid>(fx.sales_user.id);
                    if (owner == 2) f.owner_id = std::optional<Uuid>{};
                    if (source) f.source = "web";
                    if (q) f.q = "about";
                    filters.push_back(f);
                }
    int checked = 0;
    detail::with_lease(detail::impl_of(fx.scratch.db()), [&](detail::Lease& lease) {
        if (pg) lease.sql() << "SET enable_seqscan = off";
        if (pg) lease.sql() << "SET enable_sort = off";
        for (const auto& f : filters)
            for (const auto& sort : every_sort())
                for (bool cursor : {false, true}) {
                    std::optional<detail::Keyset> after;
                    if (cursor) after = detail::Keyset{sort.key == LeadSortKey::status ? "1" : "2026-01-01T00:00:00.000Z",
                                                       "0190d5a8-0000-7000-8000-000000000000"};
                    // Every statement of the list (SQLite counts apart, PostgreSQL in the page's).
                    std::ostringstream statements;
                    lease.sql().set_log_stream(&statements);
                    (void)detail::lead_store::list(lease, f, sort, detail::ListWindow(PageRequest{1, 20}, after));
                    lease.sql().set_log_stream(nullptr);
                    std::string query, plan;
                    std::istringstream lines(statements.str());
                    for (std::string line; std::getline(lines, line);)
                        if (line.rfind("SELECT", 0) == 0) {
                            query += line + "\n";
                            plan += plan_of(lease, line, sort.key == LeadSortKey::status);
                        }
                    CAPTURE(query);
                    CAPTURE(plan);
                    // A search may sort its matches (found by the search index, not every row):
                    // the planner weighs that against an ordered scan that filters.
                    if (pg) {
                        CHECK(plan.find("Seq Scan on \"Leads\"") == std::string::npos);
                        if (!f.q) CHECK(plan.find("Sort  (") == std::string::npos);
                        // With other filters or a cursor range, PostgreSQL may rightly prefer
                        // another index; a count of q alone has only the trigram indexes.
                        bool q_alone = f.q && !cursor && !f.source && f.statuses.empty() && !f.owner_id;
                        if (q_alone) CHECK(plan.find("Leads_title_trgm") != std::string::npos);
                    } else {
                        if (!f.q) CHECK(plan.find("USE TEMP B-TREE FOR ORDER BY") == std::string::npos);
                        CHECK(!std::regex_search(plan, std::regex("(^|\n)SCAN Leads\n")));
                        if (f.q) CHECK(plan.find("SCAN LeadSearch VIRTUAL TABLE INDEX") != std::string::npos);
                    }
                    ++checked;
                }
        if (pg) lease.sql() << "RESET ALL";
    });
    CHECK(checked == 36 * 8 * 2);
}
