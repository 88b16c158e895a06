// SQL for "Users". The same statements serve SQLite and PostgreSQL except where noted.
#include "rows.hpp"
#include "store_common.hpp"

namespace crm::detail::user_store {

namespace {

struct Row {
    static constexpr const char* columns = R"(id, name, email, role, "createdAt", "updatedAt", password)";
    std::string id, name, email, role, created_at, updated_at, password;

    /// Calls `column(value)` for each member, in `columns` order.
    template <class Column>
    void each(Column&& column) {
        for (auto* member : {&id, &name, &email, &role, &created_at, &updated_at, &password}) column(*member);
    }
    void bind(soci::statement& st) { each(into_column(st)); }
    [[nodiscard]] User user() const {
        auto parsed_role = parse<Role>(role);
        if (!parsed_role) throw Error(Errc::internal, "malformed role in the database");
        return User{uuid_from_db(id), name, email, *parsed_role, timestamp_from_db(created_at),
                    timestamp_from_db(updated_at)};
    }
};

constexpr const char* columns = Row::columns;

std::optional<UserCredentials> find_where(Lease& lease, const std::string& where, std::string key) {
    Row row;
    std::optional<UserCredentials> found;
    for_each_row(
        lease.sql(), std::string("SELECT ") + columns + R"( FROM "Users" WHERE )" + where,
        [&](soci::statement& st) {
            row.bind(st);
            st.exchange(soci::use(key, "key"));
        },
        [&] { found = UserCredentials{row.user(), row.password}; });
    return found;
}

const ConstraintMeaning email_taken{Error(Errc::conflict, "email is already taken",
                                          {FieldError{"email", "is already taken"}}),
                                    std::nullopt};

}  // namespace

void insert(Lease& lease, const User& user, const std::string& password_hash) {
    std::string id = user.id.to_string(), role(to_string(user.role));
    std::string created = format_timestamp(user.created_at), updated = format_timestamp(user.updated_at);
    try {
        lease.sql() << R"(INSERT INTO "Users" (id, name, email, password, role, "createdAt", "updatedAt")
                          VALUES (:id, :name, :email, :password, :role, :created, :updated))",
            soci::use(id), soci::use(user.name), soci::use(user.email), soci::use(password_hash), soci::use(role),
            soci::use(created), soci::use(updated);
    } catch (const soci::soci_error&) {
        rethrow_constraint(email_taken);
    }
}

std::optional<UserCredentials> find_credentials(Lease& lease, const Uuid& id) {
    // Every authenticated call reads this: keep it prepared.
    static const std::string query = std::string("SELECT ") + columns + R"( FROM "Users" WHERE id = :key)";
    auto& lookup = lease.cached<KeyedLookup<Row>>("user_store::find_credentials", query);
    if (!lookup.run(lease, id.to_string())) return std::nullopt;
    return UserCredentials{lookup.row.user(), lookup.row.password};
}

std::optional<UserCredentials> find_credentials_for_update(Lease& lease, const Uuid& id) {
    return find_where(lease, std::string("id = :key") + for_update_clause(lease, true), id.to_string());
}

std::optional<User> find(Lease& lease, const Uuid& id) {
    auto found = find_credentials(lease, id);
    return found ? std::optional(found->user) : std::nullopt;
}

std::optional<UserCredentials> find_by_email(Lease& lease, const std::string& email) {
    return find_where(lease, "lower(email) = :key", email);
}

std::optional<User> update(Lease& lease, const User& user, const std::optional<std::string>& password_hash) {
    std::string key = user.id.to_string(), role(to_string(user.role)), updated = format_timestamp(user.updated_at);
    std::string password = password_hash.value_or("");
    soci::indicator password_ind = password_hash ? soci::i_ok : soci::i_null;
    std::optional<Row> stored;
    try {
        // No new hash: the stored one stays (a NULL parameter keeps the column).
        stored = write_returning<Row>(lease, R"(UPDATE "Users" SET name = :name, email = :email, role = :role,
                                                password = COALESCE(:password, password), "updatedAt" = :updated
                                                WHERE id = :id)",
                                      [&](soci::statement& st) {
                                          st.exchange(soci::use(user.name, "name"));
                                          st.exchange(soci::use(user.email, "email"));
                                          st.exchange(soci::use(role, "role"));
                                          st.exchange(soci::use(password, password_ind, "password"));
                                          st.exchange(soci::use(updated, "updated"));
                                          st.exchange(soci::use(key, "id"));
                                      });
    } catch (const soci::soci_error&) {
        rethrow_constraint(email_taken);
    }
    return stored ? std::optional(stored->user()) : std::nullopt;
}

bool remove(Lease& lease, const Uuid& id) {
    std::string key = id.to_string();
    return execute_counting(lease.sql(), R"(DELETE FROM "Users" WHERE id = :id)",
                            [&](soci::statement& st) { st.exchange(soci::use(key, "id")); }) > 0;
}

Keyset position_of(const User& user) { return Keyset{format_timestamp(user.created_at), user.id.to_string()}; }

ListSlice<User> list(Lease& lease, const ListWindow& window) {
    std::string keyset = created_at_keyset(lease, window, false);
    Parameters rows_values;
    if (window.after) rows_values.text("ak", window.after->key).text("ai", window.after->id);
    return read_slice<User, Row>(lease, window, columns, R"(SELECT count(*) FROM "Users")", {},
                                 R"( FROM "Users")" + where_clause(keyset) + R"( ORDER BY "createdAt", id)",
                                 std::move(rows_values), ListPlan::same_for_any_values,
                                 [](const Row& row) { return row.user(); });
}

long long count_admins_locked(Lease& lease) {
    long long admins = 0;
    if (is_postgresql(lease)) {
        // FOR UPDATE cannot be combined with an aggregate: lock the rows, then count them.
        std::string id;
        for_each_row(
            lease.sql(), R"(SELECT id FROM "Users" WHERE role = 'ADMIN' FOR UPDATE)",
            [&](soci::statement& st) { st.exchange(soci::into(id)); }, [&] { ++admins; });
        return admins;
    }
    lease.sql() << R"(SELECT count(*) FROM "Users" WHERE role = 'ADMIN')", soci::into(admins);
    return admins;
}

long long count(Lease& lease) {
    long long n = 0;
    lease.sql() << R"(SELECT count(*) FROM "Users")", soci::into(n);
    return n;
}

}  // namespace crm::detail::user_store
