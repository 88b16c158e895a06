// The whole RBAC matrix: every role × every operation × own/other, checked against the
// contract's tables (written out here independently of src/policy.cpp).
#include "support.hpp"

#include <doctest/doctest.h>

#include <algorithm>
#include <functional>
#include <map>
#include <optional>

using namespace crm;
using crm::test::ScratchDatabase;

namespace {

enum class Whose { own, other };
using Outcome = std::optional<Errc>;  // nullopt: allowed
constexpr Outcome ok = std::nullopt;

struct Expect {
    Outcome admin, manager, sales;
};

// From the contract ("Users", "Leads", "Activities", "Roles").
const std::map<std::pair<std::string, Whose>, Expect> contract{
    {{"list users", Whose::other}, {ok, Errc::forbidden, Errc::forbidden}},
    {{"create user", Whose::other}, {ok, Errc::forbidden, Errc::forbidden}},
    {{"get user", Whose::own}, {ok, ok, ok}},
    {{"get user", Whose::other}, {ok, ok, Errc::forbidden}},
    {{"update user name", Whose::own}, {ok, ok, ok}},
    {{"update user name", Whose::other}, {ok, Errc::forbidden, Errc::forbidden}},
    {{"change user role", Whose::own}, {ok, Errc::forbidden, Errc::forbidden}},
    {{"change user role", Whose::other}, {ok, Errc::forbidden, Errc::forbidden}},
    {{"delete user", Whose::own}, {ok, Errc::forbidden, Errc::forbidden}},
    {{"delete user", Whose::other}, {ok, Errc::forbidden, Errc::forbidden}},
    {{"get lead", Whose::own}, {ok, ok, ok}},
    {{"get lead", Whose::other}, {ok, ok, Errc::not_found}},
    {{"update lead", Whose::own}, {ok, ok, ok}},
    {{"update lead", Whose::other}, {ok, ok, Errc::not_found}},
    {{"delete lead", Whose::own}, {ok, ok, ok}},
    {{"delete lead", Whose::other}, {ok, ok, Errc::not_found}},
    {{"create lead owned by", Whose::own}, {ok, ok, ok}},
    {{"create lead owned by", Whose::other}, {ok, ok, Errc::forbidden}},
    {{"create unowned lead", Whose::other}, {ok, ok, Errc::forbidden}},
    {{"reassign lead", Whose::own}, {ok, ok, Errc::forbidden}},
    {{"list activities of lead", Whose::own}, {ok, ok, ok}},
    {{"list activities of lead", Whose::other}, {ok, ok, Errc::not_found}},
    {{"get activity", Whose::own}, {ok, ok, ok}},
    {{"get activity", Whose::other}, {ok, ok, Errc::not_found}},
    {{"create activity", Whose::own}, {ok, ok, ok}},
    {{"create activity", Whose::other}, {ok, ok, Errc::not_found}},
    {{"update activity", Whose::own}, {ok, ok, ok}},
    {{"update activity", Whose::other}, {ok, ok, Errc::not_found}},
    {{"delete activity", Whose::own}, {ok, ok, ok}},
    {{"delete activity", Whose::other}, {ok, ok, Errc::not_found}},
};

struct World {
    Service& svc;
    Principal actor;
    User me;
    User someone;  // another SALES user

    Lead lead(Whose w) {
        NewLead l{"lead", {}, {}, {}, std::optional<Uuid>(w == Whose::own ? me.id : someone.id), {}};
        return svc.create_lead(Principal::system(), l);
    }
    Activity activity(Whose w) {
        return svc.create_activity(Principal::system(), NewActivity{lead(w).id, ActivityType::call, "hi"});
    }
    User user(Whose w) {
        if (w == Whose::own) return me;
        static int n = 0;
        return svc.create_user(Principal::system(),
                               NewUser{"target" + std::to_string(++n) + "@example.com", "password123", "T", Role::sales});
    }
};

using Operation = std::function<void(World&, Whose)>;

const std::map<std::string, Operation> operations{
    {"list users", [](World& w, Whose) { (void)w.svc.list_users(w.actor, {}); }},
    {"create user",
     [](World& w, Whose) {
         (void)w.svc.create_user(w.actor, NewUser{"new@example.com", "password123", "N", Role::sales});
     }},
    {"get user", [](World& w, Whose o) { (void)w.svc.get_user(w.actor, w.user(o).id); }},
    {"update user name",
     [](World& w, Whose o) {
         UserUpdate u;
         u.name = "Renamed";
         (void)w.svc.update_user(w.actor, w.user(o).id, u);
     }},
    {"change user role",
     [](World& w, Whose o) {
         UserUpdate u;
         u.role = Role::manager;
         if (w.me.role == Role::manager) u.role = Role::sales;
         (void)w.svc.update_user(w.actor, w.user(o).id, u);
     }},
    {"delete user", [](World& w, Whose o) { w.svc.delete_user(w.actor, w.user(o).id); }},
    {"get lead", [](World& w, Whose o) { (void)w.svc.get_lead(w.actor, w.lead(o).id); }},
    {"update lead",
     [](World& w, Whose o) {
         LeadChanges c;
         c.status = LeadStatus::contacted;
         (void)w.svc.update_lead(w.actor, w.lead(o).id, c);
     }},
    {"delete lead", [](World& w, Whose o) { w.svc.delete_lead(w.actor, w.lead(o).id); }},
    {"create lead owned by",
     [](World& w, Whose o) {
         NewLead l{"mine", {}, {}, {}, std::optional<Uuid>(o == Whose::own ? w.me.id : w.someone.id), {}};
         (void)w.svc.create_lead(w.actor, l);
     }},
    {"create unowned lead",
     [](World& w, Whose) {
         NewLead l{"nobody's", {}, {}, {}, std::optional<Uuid>{}, {}};
         (void)w.svc.create_lead(w.actor, l);
     }},
    {"reassign lead",
     [](World& w, Whose o) {
         LeadChanges c;
         c.owner_id = std::optional<Uuid>(w.someone.id);
         (void)w.svc.update_lead(w.actor, w.lead(o).id, c);
     }},
    {"list activities of lead", [](World& w, Whose o) { (void)w.svc.list_activities(w.actor, w.lead(o).id, {}); }},
    {"get activity", [](World& w, Whose o) { (void)w.svc.get_activity(w.actor, w.activity(o).id); }},
    {"create activity",
     [](World& w, Whose o) {
         (void)w.svc.create_activity(w.actor, NewActivity{w.lead(o).id, ActivityType::email, "sent"});
     }},
    {"update activity",
     [](World& w, Whose o) {
         ActivityUpdate u;
         u.body = std::optional<std::string>("edited");
         (void)w.svc.update_activity(w.actor, w.activity(o).id, u);
     }},
    {"delete activity", [](World& w, Whose o) { w.svc.delete_activity(w.actor, w.activity(o).id); }},
};

Outcome run(const Operation& op, World& w, Whose o) {
    try {
        op(w, o);
        return ok;
    } catch (const Error& e) {
        return e.code();
    }
}

std::string describe(Outcome o) { return o ? std::string(to_string(*o)) : "allowed"; }

}  // namespace

TEST_CASE("db: RBAC matrix, every role x operation x ownership, as the contract says") {
    // Every operation is in the expected table and vice versa.
    for (auto& [key, expect] : contract) REQUIRE_MESSAGE(operations.count(key.first), key.first);
    for (Role role : {Role::admin, Role::manager, Role::sales}) {
        ScratchDatabase scratch;
        Service svc(scratch.db(), test::fast_auth_options());
        // A second ADMIN, so that an ADMIN deleting or demoting themselves is not the last one.
        (void)svc.create_user(Principal::system(), NewUser{"spare-admin@example.com", "password123", "S", Role::admin});
        User me = svc.create_user(Principal::system(), NewUser{"me@example.com", "password123", "Me", role});
        User someone = svc.create_user(Principal::system(), NewUser{"someone@example.com", "password123", "O", Role::sales});
        for (auto& [key, expect] : contract) {
            // Fresh principal each time: an earlier case may have changed our own row.
            auto login = svc.login("me@example.com", "password123");
            World world{svc, svc.authenticate(login.tokens.access_token), login.user, someone};
            Outcome expected = role == Role::admin ? expect.admin : role == Role::manager ? expect.manager : expect.sales;
            Outcome actual = run(operations.at(key.first), world, key.second);
            CHECK_MESSAGE(actual == expected, to_string(role), ": ", key.first,
                          key.second == Whose::own ? " (own)" : " (other)", " expected ", describe(expected), ", got ",
                          describe(actual));
            // Restore our own row if the case deleted or changed it.
            auto found = svc.list_users(Principal::system(), PageRequest{1, 100}).items;
            auto current = std::find_if(found.begin(), found.end(), [&](const User& u) { return u.id == me.id; });
            if (current == found.end()) {
                me = svc.create_user(Principal::system(), NewUser{"me@example.com", "password123", "Me", role});
            } else if (current->role != role) {
                UserUpdate back;
                back.role = role;
                (void)svc.update_user(Principal::system(), me.id, back);
            }
        }
    }
}

TEST_CASE("db: SALES see only their own leads in lists, ADMIN and MANAGER see all") {
    ScratchDatabase scratch;
    Service svc(scratch.db(), test::fast_auth_options());
    auto sys = Principal::system();
    for (auto [email, role] : {std::pair{"a@example.com", Role::admin}, {"m@example.com", Role::manager},
                               {"s@example.com", Role::sales}, {"t@example.com", Role::sales}})
        (void)svc.create_user(sys, NewUser{email, "password123", std::nullopt, role});
    auto principal = [&](const char* email) { return svc.authenticate(svc.login(email, "password123").tokens.access_token); };
    auto s = principal("s@example.com");
    auto t = principal("t@example.com");
    for (int i = 0; i < 3; ++i) (void)svc.create_lead(s, NewLead{"s lead", {}, {}, {}, {}, {}});
    for (int i = 0; i < 2; ++i) (void)svc.create_lead(t, NewLead{"t lead", {}, {}, {}, {}, {}});
    (void)svc.create_lead(sys, NewLead{"unowned", {}, {}, {}, {}, {}});
    CHECK(svc.list_leads(principal("a@example.com"), {}, {}, {}).total == 6);
    CHECK(svc.list_leads(principal("m@example.com"), {}, {}, {}).total == 6);
    auto mine = svc.list_leads(s, {}, {}, {});
    CHECK(mine.total == 3);
    for (auto& l : mine.items) CHECK(l.owner_id == s.user_id());
    // Asking for someone else's leads finds nothing rather than failing or leaking.
    LeadFilter others;
    others.owner_id = std::optional<Uuid>(t.user_id());
    CHECK(svc.list_leads(s, others, {}, {}).total == 0);
    LeadFilter unowned;
    unowned.owner_id = std::optional<Uuid>{};
    CHECK(svc.list_leads(s, unowned, {}, {}).total == 0);
}

TEST_CASE("db: the last ADMIN can be neither deleted nor demoted") {
    ScratchDatabase scratch;
    Service svc(scratch.db(), test::fast_auth_options());
    auto sys = Principal::system();
    User admin = svc.create_user(sys, NewUser{"only-admin@example.com", "password123", "A", Role::admin});
    auto actor = svc.authenticate(svc.login("only-admin@example.com", "password123").tokens.access_token);
    UserUpdate demote;
    demote.role = Role::manager;
    CHECK_THROWS_WITH_AS(svc.update_user(actor, admin.id, demote), doctest::Contains("last ADMIN"), Error);
    try {
        svc.delete_user(sys, admin.id);
        FAIL("deleted the last ADMIN");
    } catch (const Error& e) {
        CHECK(e.code() == Errc::conflict);
    }
    // With a second ADMIN both become possible.
    (void)svc.create_user(sys, NewUser{"second@example.com", "password123", "B", Role::admin});
    CHECK(svc.update_user(actor, admin.id, demote).role == Role::manager);
}

TEST_CASE("db: createdBy is always the acting user") {
    ScratchDatabase scratch;
    Service svc(scratch.db(), test::fast_auth_options());
    auto sys = Principal::system();
    User m = svc.create_user(sys, NewUser{"m@example.com", "password123", "M", Role::manager});
    auto actor = svc.authenticate(svc.login("m@example.com", "password123").tokens.access_token);
    Lead lead = svc.create_lead(sys, NewLead{"l", {}, {}, {}, {}, {}});
    CHECK_FALSE(lead.owner_id);  // the system principal owns nothing
    Activity a = svc.create_activity(actor, NewActivity{lead.id, ActivityType::note, "x"});
    CHECK(a.created_by == m.id);
    CHECK_FALSE(svc.create_activity(sys, NewActivity{lead.id, ActivityType::note, "y"}).created_by);
    // A leadId different from the current one is refused; the same one is fine.
    ActivityUpdate move;
    move.lead_id = svc.create_lead(sys, NewLead{"other", {}, {}, {}, {}, {}}).id;
    CHECK_THROWS_AS(svc.update_activity(actor, a.id, move), Error);
    move.lead_id = lead.id;
    CHECK(svc.update_activity(actor, a.id, move).id == a.id);
}
