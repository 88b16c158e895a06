// SQL for whole-database moves: chunked reads of every row (of a libcrm database, or of one made
// by the Node.js/Express/Sequelize backend) and batched writes. Reads go in id order, one chunk
// per query with a keyset predicate on the primary key, so each chunk costs the same at any depth
// and only one chunk is in memory (PostgreSQL hands a query's whole result to the client).
#include "dump_store.hpp"

#include "rows.hpp"
#include "store_common.hpp"

#include <algorithm>
#include <array>
#include <vector>

namespace crm::detail::dump_store {

namespace {

// ---- reading ----------------------------------------------------------------------------------

struct UserRow {
    std::string id, email, password, role, created_at, updated_at;
    NullableText name;  // never null in libcrm; may be in a Node backend's "Users"

    void bind(soci::statement& st) {
        st.exchange(soci::into(id));
        st.exchange(soci::into(name.value, name.ind));
        for (auto* column : {&email, &password, &role, &created_at, &updated_at}) st.exchange(soci::into(*column));
    }
    [[nodiscard]] StoredUser user() const {
        auto parsed_role = parse<Role>(role);
        if (!parsed_role) throw Error(Errc::internal, "malformed role in the database");
        return StoredUser{User{uuid_from_db(id), name.value, email, *parsed_role, timestamp_from_db(created_at),
                               timestamp_from_db(updated_at)},
                          password};
    }
};

// One chunk: `select` is "SELECT <columns> FROM <table>"; the keyset predicate, order and limit
// are added here. Returns the id of the last row read.
template <class Row, class OnRow>
std::optional<std::string> read_chunk_after(Lease& lease, const std::string& select, const std::string& after,
                                            OnRow&& on_row) {
    Row row;
    std::string key = after, last;
    long long limit = read_chunk;
    bool any = false;
    std::string where;
    if (!after.empty()) where = is_postgresql(lease) ? " WHERE id > CAST(:after AS uuid)" : " WHERE id > :after";
    for_each_row(
        lease.sql(), select + where + " ORDER BY id LIMIT :limit",
        [&](soci::statement& st) {
            row.bind(st);
            if (!after.empty()) st.exchange(soci::use(key, "after"));
            st.exchange(soci::use(limit, "limit"));
        },
        [&] {
            on_row(row);
            last = row.id;
            any = true;
        });
    return any ? std::optional(last) : std::nullopt;
}

long long count_rows(Lease& lease, const char* table) {
    long long n = 0;
    lease.sql() << std::string("SELECT count(*) FROM ") + table, soci::into(n);
    return n;
}

bool table_exists(Lease& lease, const std::string& name) {
    int n = 0;
    std::string table = name;
    if (is_postgresql(lease))
        lease.sql() << "SELECT count(*) FROM information_schema.tables WHERE table_schema = current_schema() "
                       "AND table_name = :t",
            soci::use(table), soci::into(n);
    else
        lease.sql() << "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = :t", soci::use(table),
            soci::into(n);
    return n > 0;
}

// A Node backend's timestamps: timestamptz (JavaScript dates, so milliseconds; anything finer is
// cut) as the text format_timestamp() writes.
std::string node_time(const char* column) {
    return std::string("to_char(\"") + column + R"(" AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'))";
}

}  // namespace

void begin_snapshot(Lease& lease) {
    if (is_postgresql(lease)) lease.sql() << "SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY";
}

DataCounts count(Lease& lease) {
    return DataCounts{count_rows(lease, R"("Users")"), count_rows(lease, R"("Leads")"),
                      count_rows(lease, R"("Activities")")};
}

std::optional<std::string> users_after(Lease& lease, const std::string& after,
                                       const std::function<void(const StoredUser&)>& on_row) {
    return read_chunk_after<UserRow>(
        lease, R"(SELECT id, name, email, password, role, "createdAt", "updatedAt" FROM "Users")", after,
        [&](const UserRow& row) { on_row(row.user()); });
}

std::optional<std::string> leads_after(Lease& lease, const std::string& after,
                                       const std::function<void(const Lead&)>& on_row) {
    return read_chunk_after<LeadRow>(lease, std::string("SELECT ") + LeadRow::columns + R"( FROM "Leads")", after,
                                     [&](const LeadRow& row) { on_row(row.lead()); });
}

std::optional<std::string> activities_after(Lease& lease, const std::string& after,
                                            const std::function<void(const Activity&)>& on_row) {
    return read_chunk_after<ActivityRow>(lease, std::string("SELECT ") + ActivityRow::columns + R"( FROM "Activities")",
                                         after, [&](const ActivityRow& row) { on_row(row.activity()); });
}

// ---- the Node backend's tables ------------------------------------------------------------------

bool has_node_tables(Lease& lease) {
    return table_exists(lease, "Users") && table_exists(lease, "Leads") && table_exists(lease, "Activities");
}

bool has_libcrm_ledger(Lease& lease) { return table_exists(lease, "SchemaMigrations"); }

DataCounts count_node(Lease& lease) { return count(lease); }

// Sequelize made enum types ("enum_Users_role" ...) and varchar columns: cast to text, read as
// libcrm's own rows.
std::optional<std::string> node_users_after(Lease& lease, const std::string& after,
                                            const std::function<void(const StoredUser&, bool)>& on_row) {
    return read_chunk_after<UserRow>(lease,
                                     "SELECT id::text AS id, name::text, email::text, password::text, role::text, " +
                                         node_time("createdAt") + ", " + node_time("updatedAt") + R"( FROM "Users")",
                                     after, [&](const UserRow& row) { on_row(row.user(), row.name.ind != soci::i_ok); });
}

std::optional<std::string> node_leads_after(Lease& lease, const std::string& after,
                                            const std::function<void(const Lead&)>& on_row) {
    return read_chunk_after<LeadRow>(lease,
                                     R"(SELECT id::text AS id, title::text, description, status::text, source::text, )"
                                     R"("ownerId"::text, metadata::text, )" +
                                         node_time("createdAt") + ", " + node_time("updatedAt") + R"( FROM "Leads")",
                                     after, [&](const LeadRow& row) { on_row(row.lead()); });
}

std::optional<std::string> node_activities_after(Lease& lease, const std::string& after,
                                                 const std::function<void(const Activity&)>& on_row) {
    return read_chunk_after<ActivityRow>(
        lease,
        R"(SELECT id::text AS id, "leadId"::text, type::text, body, "createdBy"::text, )" + node_time("createdAt") +
            ", " + node_time("updatedAt") + R"( FROM "Activities")",
        after, [&](const ActivityRow& row) { on_row(row.activity()); });
}

// ---- writing -------------------------------------------------------------------------------------

Error about(const char* kind, const std::string& id, const Error& e) {
    return Error(e.code(), std::string(kind) + " " + id + ": " + e.what(), e.field_errors());
}

void lock_for_restore(Lease& lease) {
    // EXCLUSIVE: readers go on, writers wait until the restore commits or rolls back, so the
    // emptiness checked at the start and the counts checked at the end stay true.
    if (is_postgresql(lease)) lease.sql() << R"(LOCK TABLE "Users", "Leads", "Activities" IN EXCLUSIVE MODE)";
}

namespace {

// The values of one row, at fixed addresses for the prepared statements that bind them: the
// stores' own row mappings (rows.hpp), with what a TableWriter needs to know of the table.
struct UserParams {
    static constexpr const char* kind = "user";
    static constexpr const char* table = R"("Users")";
    static constexpr const char* columns = R"(id, name, email, password, role, "createdAt", "updatedAt")";
    std::string id, name, email, password, role, created_at, updated_at;

    void set(const StoredUser& u) {
        id = u.user.id.to_string();
        name = u.user.name;
        email = u.user.email;
        password = u.password_hash;
        role = to_string(u.user.role);
        created_at = format_timestamp(u.user.created_at);
        updated_at = format_timestamp(u.user.updated_at);
    }
    void bind_values(soci::statement& st) {
        for (auto* v : {&id, &name, &email, &password, &role, &created_at, &updated_at}) st.exchange(soci::use(*v));
    }
};

struct LeadParams : LeadRow {
    static constexpr const char* kind = "lead";
    static constexpr const char* table = R"("Leads")";
};

struct ActivityParams : ActivityRow {
    static constexpr const char* kind = "activity";
    static constexpr const char* table = R"("Activities")";
};

bool exists(Lease& lease, const char* table, const std::string& id) {
    int n = 0;
    std::string key = id;
    lease.sql() << std::string("SELECT count(*) FROM ") + table +
                       (is_postgresql(lease) ? " WHERE id = CAST(:id AS uuid)" : " WHERE id = :id"),
        soci::use(key), soci::into(n);
    return n > 0;
}

// What the database's refusal of one row means, asked after the savepoint undid it (on
// PostgreSQL a failed statement leaves the transaction unusable until then).
enum class Refusal { unique, foreign_key };

Error meaning(Lease& lease, const UserParams& p, Refusal r) {
    if (r == Refusal::unique && exists(lease, R"("Users")", p.id))
        return Error(Errc::conflict, "id is already taken", {FieldError{"id", "is already taken"}});
    if (r == Refusal::unique)
        return Error(Errc::conflict, "email is already taken", {FieldError{"email", "is already taken"}});
    return Error(Errc::invalid, "a referenced object does not exist");
}

Error meaning(Lease&, const LeadParams&, Refusal r) {
    if (r == Refusal::unique) return Error(Errc::conflict, "id is already taken", {FieldError{"id", "is already taken"}});
    return Error::invalid_field("ownerId", "must be an existing user");
}

Error meaning(Lease& lease, const ActivityParams& p, Refusal r) {
    if (r == Refusal::unique) return Error(Errc::conflict, "id is already taken", {FieldError{"id", "is already taken"}});
    if (!exists(lease, R"("Leads")", p.lead_id)) return Error::invalid_field("leadId", "must be an existing lead");
    return Error::invalid_field("createdBy", "must be an existing user");
}

constexpr const char* savepoint = "SAVEPOINT crm_restore";
constexpr const char* rollback_to_savepoint = "ROLLBACK TO SAVEPOINT crm_restore";
constexpr const char* release_savepoint = "RELEASE SAVEPOINT crm_restore";

template <class Params>
class TableWriter {
public:
    TableWriter(Lease& lease, std::size_t batch) : lease_(lease), batch_(batch), slots_(batch), tags_(batch) {}

    template <class Row>
    void add(const Row& row, std::uint64_t tag) {
        slots_[filled_].set(row);
        tags_[filled_] = tag;
        if (++filled_ == batch_) write_batch();
    }

    void flush() {
        if (filled_ == 0) return;
        lease_.sql() << savepoint;
        write_singly();
        lease_.sql() << release_savepoint;
        filled_ = 0;
    }

private:
    std::unique_ptr<soci::statement> prepare(std::size_t rows, Params* first) {
        const std::string_view columns = Params::columns;
        const auto column_count = std::count(columns.begin(), columns.end(), ',') + 1;
        std::string query = std::string("INSERT INTO ") + Params::table + " (" + Params::columns + ") VALUES ";
        int n = 0;
        for (std::size_t r = 0; r < rows; ++r) {
            query += r ? ", (" : "(";
            for (long c = 0; c < column_count; ++c) query += (c ? ", :p" : ":p") + std::to_string(n++);
            query += ")";
        }
        auto st = std::make_unique<soci::statement>(lease_.sql());
        for (std::size_t r = 0; r < rows; ++r) first[r].bind_values(*st);
        st->alloc();
        st->prepare(query);
        st->define_and_bind();
        return st;
    }

    void write_batch() {
        if (!many_statement_) many_statement_ = prepare(batch_, slots_.data());
        lease_.sql() << savepoint;
        try {
            many_statement_->execute(true);
        } catch (const soci::soci_error&) {
            // Find the row: undo the batch, then write its rows one by one.
            lease_.sql() << rollback_to_savepoint;
            write_singly();
            // Every row went in alone: the batch failed for a reason of its own.
            throw Error(Errc::internal, "the database refused a batch of rows but none of its rows alone");
        }
        lease_.sql() << release_savepoint;
        filled_ = 0;
    }

    // The buffered rows, one statement each; the first refused one is thrown as RowRefused.
    void write_singly() {
        if (!one_statement_) one_statement_ = prepare(1, &one_);
        for (std::size_t i = 0; i < filled_; ++i) {
            one_ = slots_[i];  // assigned in place: the statement keeps binding one_'s members
            try {
                one_statement_->execute(true);
            } catch (const soci::soci_error&) {
                refused(i);
            }
        }
    }

    // Called from the catch block of the row in slot i (its values in one_): throws RowRefused
    // with what the refusal means, or a crm::Error when it is not about the row (a lost connection).
    [[noreturn]] void refused(std::size_t i) {
        std::optional<Refusal> refusal;
        std::optional<Error> other;
        try {
            rethrow_constraint(ConstraintMeaning{Error(Errc::conflict, "unique"), Error(Errc::invalid, "foreign key")});
        } catch (const Error& e) {
            refusal = e.code() == Errc::conflict ? Refusal::unique : Refusal::foreign_key;
        } catch (...) {
            try {
                rethrow_as_crm_error(&lease_);
            } catch (const Error& e) {
                // A CHECK constraint or a value the column cannot hold is about this row too.
                if (e.code() != Errc::invalid) throw;
                other = e;
            }
        }
        lease_.sql() << rollback_to_savepoint;
        throw RowRefused{tags_[i], about(Params::kind, one_.id, other ? *other : meaning(lease_, one_, *refusal))};
    }

    Lease& lease_;
    std::size_t batch_;
    std::vector<Params> slots_;  // sized once: the batch statement binds their addresses
    std::vector<std::uint64_t> tags_;
    std::size_t filled_ = 0;
    Params one_;
    std::unique_ptr<soci::statement> many_statement_, one_statement_;
};

}  // namespace

struct Writer::Impl {
    Impl(Lease& lease, std::size_t batch) : users(lease, batch), leads(lease, batch), activities(lease, batch) {}
    TableWriter<UserParams> users;
    TableWriter<LeadParams> leads;
    TableWriter<ActivityParams> activities;
};

Writer::Writer(Lease& lease, std::size_t batch) : impl_(std::make_unique<Impl>(lease, batch)) {}
Writer::~Writer() = default;

void Writer::add(const StoredUser& user, std::uint64_t tag) {
    // Rows of other tables refer to users: anything buffered after them goes in first.
    impl_->leads.flush();
    impl_->activities.flush();
    impl_->users.add(user, tag);
}

void Writer::add(const Lead& lead, std::uint64_t tag) {
    impl_->users.flush();
    impl_->activities.flush();
    impl_->leads.add(lead, tag);
}

void Writer::add(const Activity& activity, std::uint64_t tag) {
    impl_->users.flush();
    impl_->leads.flush();
    impl_->activities.add(activity, tag);
}

void Writer::flush() {
    impl_->users.flush();
    impl_->leads.flush();
    impl_->activities.flush();
}

}  // namespace crm::detail::dump_store
