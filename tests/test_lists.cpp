// Lists: page mode and keyset cursors agree, cursors are bound to their list, search folds case.
// Every case runs on both backends.
#include "support.hpp"

#include <doctest/doctest.h>

#include <algorithm>
#include <map>
#include <set>

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
    auto titles = [&](const std::string& q) {
        LeadFilter f;
        f.q = q;
        std::multiset<std::string> found;
        for (auto& l : fx.svc.list_leads(fx.sys, f, {}, {}).items) found.insert(l.title);
        return found;
    };
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
