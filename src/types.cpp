// Ids, timestamps and enum names.
#include <crm/error.hpp>
#include <crm/models.hpp>
#include <crm/types.hpp>
#include <crm/version.hpp>

#include <fmt/format.h>
#include <sodium.h>

#include <array>
#include <ctime>
#include <mutex>

namespace crm {
inline namespace v1 {

std::string_view version() noexcept { return CRM_VERSION_STRING; }

// ---- Uuid -------------------------------------------------------------------------------

Uuid Uuid::generate() {
    // RFC 9562 UUIDv7: 48 bits of Unix milliseconds, version 7, 12 bits rand_a, variant 10,
    // 62 bits rand_b. rand_a is used as a counter within one millisecond (RFC 9562 method 1),
    // so ids made by this process are strictly increasing: lists ordered by (createdAt, id)
    // come back in creation order even when many rows share a millisecond.
    static const bool sodium_ready = sodium_init() >= 0;
    if (!sodium_ready) throw Error(Errc::internal, "libsodium could not be initialised");
    static std::mutex mutex;
    static std::uint64_t last_ms = 0;
    static std::uint16_t last_seq = 0;
    std::array<std::uint8_t, 16> b{};
    randombytes_buf(b.data(), b.size());
    auto ms = static_cast<std::uint64_t>(now().time_since_epoch().count());
    std::uint16_t seq;
    {
        std::lock_guard lock(mutex);
        if (ms > last_ms) {
            seq = static_cast<std::uint16_t>(randombytes_uniform(0x800));  // leave room to count up
        } else {
            ms = last_ms;  // same millisecond, or the clock stepped back
            seq = static_cast<std::uint16_t>(last_seq + 1);
            if (seq > 0xFFF) ++ms, seq = 0;
        }
        last_ms = ms;
        last_seq = seq;
    }
    for (int i = 0; i < 6; ++i) b[i] = static_cast<std::uint8_t>(ms >> (40 - 8 * i));
    b[6] = static_cast<std::uint8_t>(0x70 | (seq >> 8));
    b[7] = static_cast<std::uint8_t>(seq & 0xFF);
    b[8] = static_cast<std::uint8_t>(0x80 | (b[8] & 0x3F));
    return Uuid(b);
}

namespace {
// A hex digit's value by character, -1 for any other: a UUID is parsed for every row read.
constexpr std::array<std::int8_t, 256> hex_values = [] {
    std::array<std::int8_t, 256> v{};
    for (auto& x : v) x = -1;
    for (int c = 0; c < 10; ++c) v['0' + c] = static_cast<std::int8_t>(c);
    for (int c = 0; c < 6; ++c) v['a' + c] = v['A' + c] = static_cast<std::int8_t>(10 + c);
    return v;
}();
}  // namespace

std::optional<Uuid> Uuid::parse(std::string_view text) noexcept {
    if (text.size() != 36 || text[8] != '-' || text[13] != '-' || text[18] != '-' || text[23] != '-') return std::nullopt;
    std::array<std::uint8_t, 16> b{};
    std::size_t i = 0;
    for (auto& byte : b) {
        if (i == 8 || i == 13 || i == 18 || i == 23) ++i;
        int high = hex_values[static_cast<unsigned char>(text[i])], low = hex_values[static_cast<unsigned char>(text[i + 1])];
        if ((high | low) < 0) return std::nullopt;
        byte = static_cast<std::uint8_t>(high << 4 | low);
        i += 2;
    }
    return Uuid(b);
}

Uuid Uuid::parse_or_throw(std::string_view text, std::string_view field) {
    if (auto id = parse(text)) return *id;
    throw Error::invalid_field(std::string(field), "must be a UUID");
}

std::string Uuid::to_string() const {
    static constexpr char hex[] = "0123456789abcdef";
    std::string s;
    s.reserve(36);
    for (std::size_t i = 0; i < 16; ++i) {
        if (i == 4 || i == 6 || i == 8 || i == 10) s.push_back('-');
        s.push_back(hex[bytes_[i] >> 4]);
        s.push_back(hex[bytes_[i] & 0x0F]);
    }
    return s;
}

bool Uuid::is_nil() const noexcept {
    for (auto b : bytes_)
        if (b) return false;
    return true;
}

// ---- Timestamps -------------------------------------------------------------------------

Timestamp now() noexcept {
    return std::chrono::time_point_cast<std::chrono::milliseconds>(std::chrono::system_clock::now());
}

std::string format_timestamp(Timestamp t) {
    using namespace std::chrono;
    auto day = floor<days>(t);
    year_month_day ymd{day};
    hh_mm_ss<milliseconds> tod{t - day};
    return fmt::format("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:03}Z", static_cast<int>(ymd.year()),
                       static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()), tod.hours().count(),
                       tod.minutes().count(), tod.seconds().count(), tod.subseconds().count());
}

std::optional<Timestamp> parse_timestamp(std::string_view s) noexcept {
    using namespace std::chrono;
    // YYYY-MM-DDTHH:MM:SS[.fff...](Z|+00:00|+00); a space is accepted for the T (PostgreSQL's form).
    auto digits = [&](std::size_t pos, std::size_t n, int& out) {
        if (pos + n > s.size()) return false;
        out = 0;
        for (std::size_t i = pos; i < pos + n; ++i) {
            if (s[i] < '0' || s[i] > '9') return false;
            out = out * 10 + (s[i] - '0');
        }
        return true;
    };
    int y, mo, d, h, mi, sec;
    if (!digits(0, 4, y) || s.size() < 19 || s[4] != '-' || !digits(5, 2, mo) || s[7] != '-' || !digits(8, 2, d) ||
        (s[10] != 'T' && s[10] != ' ') || !digits(11, 2, h) || s[13] != ':' || !digits(14, 2, mi) || s[16] != ':' ||
        !digits(17, 2, sec))
        return std::nullopt;
    std::size_t pos = 19;
    int ms = 0;
    if (pos < s.size() && s[pos] == '.') {
        ++pos;
        int scale = 100, count = 0;
        while (pos < s.size() && s[pos] >= '0' && s[pos] <= '9') {
            ms += (s[pos] - '0') * scale;  // truncate below milliseconds
            scale /= 10;
            ++pos;
            ++count;
        }
        if (count == 0) return std::nullopt;
    }
    std::string_view zone = s.substr(pos);
    if (zone != "Z" && zone != "+00:00" && zone != "+00") return std::nullopt;
    year_month_day ymd{year{y}, month{static_cast<unsigned>(mo)}, day{static_cast<unsigned>(d)}};
    if (!ymd.ok() || h > 23 || mi > 59 || sec > 59) return std::nullopt;
    return Timestamp{sys_days{ymd}.time_since_epoch() + hours{h} + minutes{mi} + seconds{sec} + milliseconds{ms}};
}

// ---- Enums: one table each, both directions read it ------------------------------------

namespace {
template <class Enum, std::size_t N>
std::optional<Enum> lookup(const std::array<std::pair<Enum, std::string_view>, N>& table, std::string_view text) {
    for (auto& [value, name] : table)
        if (name == text) return value;
    return std::nullopt;
}
template <class Enum, std::size_t N>
std::string_view name_of(const std::array<std::pair<Enum, std::string_view>, N>& table, Enum value) {
    for (auto& [v, name] : table)
        if (v == value) return name;
    return "";
}

constexpr std::array<std::pair<Role, std::string_view>, 3> role_table{
    {{Role::admin, "ADMIN"}, {Role::manager, "MANAGER"}, {Role::sales, "SALES"}}};
constexpr std::array<std::pair<LeadStatus, std::string_view>, 4> status_table{{{LeadStatus::new_, "NEW"},
                                                                               {LeadStatus::contacted, "CONTACTED"},
                                                                               {LeadStatus::qualified, "QUALIFIED"},
                                                                               {LeadStatus::closed, "CLOSED"}}};
constexpr std::array<std::pair<ActivityType, std::string_view>, 3> type_table{
    {{ActivityType::note, "NOTE"}, {ActivityType::call, "CALL"}, {ActivityType::email, "EMAIL"}}};
constexpr std::array<std::pair<LeadSortKey, std::string_view>, 4> sort_table{{{LeadSortKey::created_at, "createdAt"},
                                                                              {LeadSortKey::updated_at, "updatedAt"},
                                                                              {LeadSortKey::title, "title"},
                                                                              {LeadSortKey::status, "status"}}};

// "A, B, C" from a table's names, joined at compile time.
template <auto& table>
constexpr auto joined_names() {
    constexpr std::size_t size = [] {
        std::size_t n = 0;
        for (auto& entry : table) n += entry.second.size() + 2;
        return n - 2;
    }();
    std::array<char, size> out{};
    std::size_t at = 0;
    for (auto& entry : table) {
        if (at) out[at++] = ',', out[at++] = ' ';
        for (char c : entry.second) out[at++] = c;
    }
    return out;
}
template <auto& table>
constexpr auto joined = joined_names<table>();
}  // namespace

std::string_view role_names() noexcept { return {joined<role_table>.data(), joined<role_table>.size()}; }
std::string_view lead_status_names() noexcept { return {joined<status_table>.data(), joined<status_table>.size()}; }
std::string_view activity_type_names() noexcept { return {joined<type_table>.data(), joined<type_table>.size()}; }

std::string_view to_string(Role v) noexcept { return name_of(role_table, v); }
std::string_view to_string(LeadStatus v) noexcept { return name_of(status_table, v); }
std::string_view to_string(ActivityType v) noexcept { return name_of(type_table, v); }
std::string_view to_string(LeadSortKey v) noexcept { return name_of(sort_table, v); }
template <>
std::optional<Role> parse<Role>(std::string_view t) noexcept { return lookup(role_table, t); }
template <>
std::optional<LeadStatus> parse<LeadStatus>(std::string_view t) noexcept { return lookup(status_table, t); }
template <>
std::optional<ActivityType> parse<ActivityType>(std::string_view t) noexcept { return lookup(type_table, t); }
template <>
std::optional<LeadSortKey> parse<LeadSortKey>(std::string_view t) noexcept { return lookup(sort_table, t); }

std::optional<LeadSort> LeadSort::parse(std::string_view text) noexcept {
    LeadSort sort;
    sort.descending = !text.empty() && text.front() == '-';
    if (sort.descending) text.remove_prefix(1);
    auto key = lookup(sort_table, text);
    if (!key) return std::nullopt;
    sort.key = *key;
    return sort;
}

}  // namespace v1
}  // namespace crm
