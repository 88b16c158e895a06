// Whole-database moves: dump(), dump_node_backend() and Restore. The rules (what a restored row
// must satisfy, what a Node backend's row becomes) live here; the SQL in dump_store.cpp.
#include "dump_store.hpp"
#include "password.hpp"
#include "validate.hpp"

#include <crm/portability.hpp>
#include <crm/validation.hpp>

#include <exception>

namespace crm {
inline namespace v1 {

using namespace detail;

namespace {

// An exception thrown by the sink must reach dump()'s caller as it is, not translated into a
// database error by with_lease(): it is kept here while a marker unwinds through the lease.
class SinkGuard {
public:
    template <class F>
    void call(F&& f) {
        try {
            f();
        } catch (...) {
            failure_ = std::current_exception();
            throw Marker{};
        }
    }
    void rethrow_if_failed() const {
        if (failure_) std::rethrow_exception(failure_);
    }

private:
    struct Marker {};
    std::exception_ptr failure_;
};

void require_latest_schema(Lease& lease, const char* which) {
    int version = applied_schema_version(lease);
    if (version != Database::latest_schema_version())
        throw Error(Errc::unavailable, std::string("the ") + which + " database is not at this library's schema version (" +
                                           std::to_string(version) + " of " +
                                           std::to_string(Database::latest_schema_version()) + "): migrate it first");
}

// Reads every row through the chunked readers, in dump order.
template <class Users, class Leads, class Activities>
void read_all(Users&& users, Leads&& leads, Activities&& activities) {
    std::string after;
    while (auto last = users(after)) after = *last;
    after.clear();
    while (auto last = leads(after)) after = *last;
    after.clear();
    while (auto last = activities(after)) after = *last;
}

constexpr std::size_t restore_batch_rows = 100;  // 900 parameters a statement for leads

Error about(const char* kind, const Uuid& id, const Error& e) { return dump_store::about(kind, id.to_string(), e); }

}  // namespace

void dump(Database& source, DataSink& sink) {
    SinkGuard guard;
    try {
        with_lease(impl_of(source), [&](Lease& lease) {
            Transaction tx(lease, Transaction::Mode::read);
            dump_store::begin_snapshot(lease);
            require_latest_schema(lease, "source");
            DumpInfo info{source.backend(), Database::latest_schema_version(), dump_store::count(lease)};
            guard.call([&] { sink.begin(info); });
            read_all(
                [&](const std::string& after) {
                    return dump_store::users_after(lease, after,
                                                   [&](const StoredUser& u) { guard.call([&] { sink.user(u); }); });
                },
                [&](const std::string& after) {
                    return dump_store::leads_after(lease, after,
                                                   [&](const Lead& l) { guard.call([&] { sink.lead(l); }); });
                },
                [&](const std::string& after) {
                    return dump_store::activities_after(
                        lease, after, [&](const Activity& a) { guard.call([&] { sink.activity(a); }); });
                });
            tx.commit();
        });
    } catch (...) {
        guard.rethrow_if_failed();
        throw;
    }
}

void dump_node_backend(Database& source, DataSink& sink) {
    if (source.backend() != Backend::postgresql)
        throw Error::invalid_field("from", "must be the Node backend's PostgreSQL database");
    SinkGuard guard;
    try {
        with_lease(impl_of(source), [&](Lease& lease) {
            Transaction tx(lease, Transaction::Mode::read);
            dump_store::begin_snapshot(lease);
            if (dump_store::has_libcrm_ledger(lease))
                throw Error::invalid_field("from", "is a libcrm database, not the Node backend's: use crmctl copy");
            if (!dump_store::has_node_tables(lease))
                throw Error::invalid_field("from", "has no \"Users\", \"Leads\" and \"Activities\" tables of the Node backend");
            DumpInfo info{Backend::postgresql, 0, dump_store::count_node(lease)};
            guard.call([&] { sink.begin(info); });
            read_all(
                [&](const std::string& after) {
                    return dump_store::node_users_after(lease, after, [&](const StoredUser& stored, bool name_is_null) {
                        // The Node backend stored emails trimmed and lower-cased too, but by its own
                        // code: normalise again, so that a login finds them. It allowed a null name,
                        // which libcrm fills as its registration does.
                        StoredUser u = stored;
                        u.user.email = normalize_email(u.user.email);
                        if (name_is_null) u.user.name = u.user.email.substr(0, u.user.email.find('@'));
                        guard.call([&] { sink.user(u); });
                    });
                },
                [&](const std::string& after) {
                    return dump_store::node_leads_after(lease, after,
                                                        [&](const Lead& l) { guard.call([&] { sink.lead(l); }); });
                },
                [&](const std::string& after) {
                    return dump_store::node_activities_after(
                        lease, after, [&](const Activity& a) { guard.call([&] { sink.activity(a); }); });
                });
            tx.commit();
        });
    } catch (...) {
        guard.rethrow_if_failed();
        throw;
    }
}

// ---- Restore -------------------------------------------------------------------------------------

struct Restore::Impl {
    explicit Impl(Database target) : db(std::move(target)) {}
    ~Impl() { end(); }  // never committed: rolled back
    Impl(const Impl&) = delete;
    Impl& operator=(const Impl&) = delete;

    Database db;  // keeps the pool alive as long as the lease
    std::optional<Lease> lease;
    std::optional<Transaction> tx;
    std::optional<dump_store::Writer> writer;  // its prepared statements live on the lease's session
    DataCounts before{}, added{};
    std::uint64_t next_row = 0;
    std::optional<std::uint64_t> failed;
    bool ended = false;

    // Rolls back (when still open) and gives the connection back. The rollback comes first: on
    // PostgreSQL a failed statement leaves the transaction refusing every command, the DEALLOCATE
    // of the writer's prepared statements included, until it ends.
    void end() noexcept {
        tx.reset();
        writer.reset();
        lease.reset();
        ended = true;
    }

    // Runs one step; any failure ends the restore (rolled back) and is thrown as a crm::Error.
    template <class F>
    void step(F&& f) {
        if (ended) throw Error(Errc::invalid, "this restore has already ended (committed, or failed and rolled back)");
        try {
            f();
        } catch (const dump_store::RowRefused& refused) {
            failed = refused.tag;
            end();
            throw refused.error;
        } catch (...) {
            try {
                rethrow_as_crm_error(lease ? &*lease : nullptr);
            } catch (...) {
                end();
                throw;
            }
        }
    }

    // A row's own problems, found before it is buffered: refused with its position.
    void check(const char* kind, const Uuid& id, Validator& v) const {
        if (id.is_nil()) v.fail("id", "must not be the nil UUID");
        if (v.errors().empty()) return;
        try {
            v.throw_if_invalid();
        } catch (const Error& e) {
            throw dump_store::RowRefused{next_row, about(kind, id, e)};
        }
    }
};

Restore::Restore(Database& target, const RestoreOptions& options) : impl_(std::make_unique<Impl>(target)) {
    auto& i = *impl_;
    i.step([&] {
        i.lease.emplace(impl_of(target));
        i.tx.emplace(*i.lease, Transaction::Mode::write);
        require_latest_schema(*i.lease, "target");
        dump_store::lock_for_restore(*i.lease);
        i.before = dump_store::count(*i.lease);
        if (!options.merge && i.before != DataCounts{})
            throw Error(Errc::conflict, "the target database is not empty (" + std::to_string(i.before.users) + " users, " +
                                            std::to_string(i.before.leads) + " leads, " +
                                            std::to_string(i.before.activities) + " activities)");
        i.writer.emplace(*i.lease, restore_batch_rows);
    });
}

Restore::~Restore() = default;
Restore::Restore(Restore&&) noexcept = default;
Restore& Restore::operator=(Restore&&) noexcept = default;

void Restore::add(const StoredUser& stored) {
    auto& i = *impl_;
    i.step([&] {
        const User& u = stored.user;
        Validator v;
        v.text("name", u.name, max_name_length);
        if (u.email != normalize_email(u.email))
            v.fail("email", "must be trimmed and lower-case");
        else
            v.email("email", u.email);
        if (!PasswordHasher::recognizes(stored.password_hash))
            v.fail("password", "is not a hash libcrm can verify (Argon2id, Argon2i or bcrypt)");
        i.check("user", u.id, v);
        i.writer->add(stored, i.next_row);
        ++i.added.users;
    });
    ++i.next_row;
}

void Restore::add(const Lead& lead) {
    auto& i = *impl_;
    i.step([&] {
        FieldErrors errors;  // a stored lead obeys the rules of a new one
        crm::check(NewLead{lead.title, lead.description, lead.status, lead.source, {}, lead.metadata}, errors);
        Validator v(errors);
        i.check("lead", lead.id, v);
        i.writer->add(lead, i.next_row);
        ++i.added.leads;
    });
    ++i.next_row;
}

void Restore::add(const Activity& activity) {
    auto& i = *impl_;
    i.step([&] {
        FieldErrors errors;
        crm::check(NewActivity{activity.lead_id, activity.type, activity.body}, errors);
        Validator v(errors);
        i.check("activity", activity.id, v);
        i.writer->add(activity, i.next_row);
        ++i.added.activities;
    });
    ++i.next_row;
}

DataCounts Restore::commit() {
    auto& i = *impl_;
    i.step([&] {
        i.writer->flush();
        DataCounts after = dump_store::count(*i.lease);
        DataCounts expected{i.before.users + i.added.users, i.before.leads + i.added.leads,
                            i.before.activities + i.added.activities};
        if (after != expected)
            throw Error(Errc::internal, "the restored database would hold " + std::to_string(after.users) + " users, " +
                                            std::to_string(after.leads) + " leads and " +
                                            std::to_string(after.activities) + " activities instead of " +
                                            std::to_string(expected.users) + ", " + std::to_string(expected.leads) +
                                            " and " + std::to_string(expected.activities) + ": nothing was kept");
        i.writer.reset();  // its prepared statements end before the transaction does
        i.tx->commit();
    });
    i.end();
    return i.added;
}

DataCounts Restore::added() const noexcept { return impl_ ? impl_->added : DataCounts{}; }

std::optional<std::uint64_t> Restore::failed_row() const noexcept { return impl_ ? impl_->failed : std::nullopt; }

}  // namespace v1
}  // namespace crm
