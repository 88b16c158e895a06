// The C enums: one table each between the C value (the index) and the C++ value, names, parsing.
#include "capi_internal.hpp"

#include <cstring>
#include <type_traits>

namespace crm::capi {

namespace {

constexpr std::array<Role, 3> roles{Role::admin, Role::manager, Role::sales};
constexpr std::array<LeadStatus, 4> statuses{LeadStatus::new_, LeadStatus::contacted, LeadStatus::qualified,
                                             LeadStatus::closed};
constexpr std::array<ActivityType, 3> types{ActivityType::note, ActivityType::call, ActivityType::email};
constexpr std::array<JwtAlgorithm, 3> algorithms{JwtAlgorithm::hs256, JwtAlgorithm::hs384, JwtAlgorithm::hs512};
constexpr std::array<LeadSortKey, 4> sort_keys{LeadSortKey::created_at, LeadSortKey::updated_at, LeadSortKey::title,
                                               LeadSortKey::status};
// Indexed by crm_sort_direction_t: is it descending?
constexpr std::array<bool, 2> descending{true, false};

static_assert(CRM_ROLE_SALES + 1 == roles.size() && CRM_LEAD_CLOSED + 1 == statuses.size() &&
              CRM_ACTIVITY_EMAIL + 1 == types.size() && CRM_JWT_HS512 + 1 == algorithms.size() &&
              CRM_LEAD_SORT_STATUS + 1 == sort_keys.size() && CRM_SORT_ASCENDING + 1 == descending.size());

// A C enum's value as an integer, read from its bytes: never loaded as the enum (see to_cpp).
template <class C>
long long integer_value(const C& value) noexcept {
    std::underlying_type_t<C> v;
    std::memcpy(&v, &value, sizeof v);
    return static_cast<long long>(v);
}

// The C++ value for a C value, or nullopt when it is out of range.
template <class Cpp, std::size_t N, class C>
std::optional<Cpp> lookup(const std::array<Cpp, N>& table, const C& value) noexcept {
    long long index = integer_value(value);
    if (index < 0 || index >= static_cast<long long>(N)) return std::nullopt;
    return table[static_cast<std::size_t>(index)];
}

template <class Cpp, std::size_t N, class C>
Cpp checked(const std::array<Cpp, N>& table, const C& value, std::string_view argument, std::string_view type) {
    if (auto v = lookup(table, value)) return *v;
    throw invalid_argument(argument, "must be a " + std::string(type) + " value from 0 to " + std::to_string(N - 1));
}

template <class C, class Cpp, std::size_t N>
C index_of(const std::array<Cpp, N>& table, Cpp value) noexcept {
    for (std::size_t i = 0; i < N; ++i)
        if (table[i] == value) return static_cast<C>(i);
    return static_cast<C>(0);  // unreachable: every C++ value has a row
}

// The wire name of a C value, or NULL when it is out of range. The names are literals.
template <class Cpp, std::size_t N, class C>
const char* name_of(const std::array<Cpp, N>& table, const C& value) noexcept {
    auto v = lookup(table, value);
    return v ? to_string(*v).data() : nullptr;
}

// Parses a wire name into *out (an exact name, else CRM_EINVALID naming `name`).
template <class C, class Cpp, std::size_t N>
int parse_name(C* out, const char* name, const std::array<Cpp, N>& table) noexcept {
    return guard([&] {
        if (!out) throw invalid_argument("out", "must not be NULL");
        std::string_view wire = text(name, "name");
        auto v = parse<Cpp>(wire);
        if (!v) {
            std::string names;
            for (Cpp c : table) names += (names.empty() ? "" : ", ") + std::string(to_string(c));
            throw invalid_argument("name", "must be one of " + names);
        }
        *out = index_of<C>(table, *v);
    });
}

}  // namespace

Role to_cpp(const crm_role_t& value, std::string_view argument) { return checked(roles, value, argument, "crm_role_t"); }
LeadStatus to_cpp(const crm_lead_status_t& value, std::string_view argument) {
    return checked(statuses, value, argument, "crm_lead_status_t");
}
ActivityType to_cpp(const crm_activity_type_t& value, std::string_view argument) {
    return checked(types, value, argument, "crm_activity_type_t");
}
JwtAlgorithm to_cpp(const crm_jwt_algorithm_t& value, std::string_view argument) {
    return checked(algorithms, value, argument, "crm_jwt_algorithm_t");
}
LeadSort to_cpp(const crm_lead_sort_t& sort, const crm_sort_direction_t& direction) {
    LeadSort order;
    order.key = checked(sort_keys, sort, "sort", "crm_lead_sort_t");
    order.descending = checked(descending, direction, "direction", "crm_sort_direction_t");
    return order;
}
crm_role_t to_c(Role value) noexcept { return index_of<crm_role_t>(roles, value); }
crm_lead_status_t to_c(LeadStatus value) noexcept { return index_of<crm_lead_status_t>(statuses, value); }
crm_activity_type_t to_c(ActivityType value) noexcept { return index_of<crm_activity_type_t>(types, value); }

}  // namespace crm::capi

using namespace crm::capi;

extern "C" {

const char* crm_role_name(crm_role_t role) { return name_of(roles, role); }
const char* crm_lead_status_name(crm_lead_status_t status) { return name_of(statuses, status); }
const char* crm_activity_type_name(crm_activity_type_t type) { return name_of(types, type); }
const char* crm_jwt_algorithm_name(crm_jwt_algorithm_t algorithm) { return name_of(algorithms, algorithm); }
const char* crm_lead_sort_name(crm_lead_sort_t sort) { return name_of(sort_keys, sort); }

int crm_role_parse(crm_role_t* out, const char* name) { return parse_name(out, name, roles); }
int crm_lead_status_parse(crm_lead_status_t* out, const char* name) { return parse_name(out, name, statuses); }
int crm_activity_type_parse(crm_activity_type_t* out, const char* name) { return parse_name(out, name, types); }
int crm_jwt_algorithm_parse(crm_jwt_algorithm_t* out, const char* name) { return parse_name(out, name, algorithms); }
int crm_lead_sort_parse(crm_lead_sort_t* out, const char* name) { return parse_name(out, name, sort_keys); }

}  // extern "C"
