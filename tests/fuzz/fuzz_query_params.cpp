// Fuzz target: list query strings (page, limit, sort, status, ownerId, and timestamps as a
// cursor would carry them), parsed the way examples/server/routes.cpp parses them today.
//
// The input is a query string ("page=2&sort=-title&status=NEW,CLOSED"), split at '&' and '=' and
// percent-decoded, each value handed to the core's parser for its name:
//   page, limit      std::from_chars into int64 as integer_param() does, then the core's page checks
//   status           a comma-separated list, crm::parse<LeadStatus> per item
//   ownerId          "null" or crm::Uuid::parse
//   sort             crm::LeadSort::parse
//   cursor, after    crm::parse_timestamp, and the keyset cursor decoder (src/cursor.hpp) with
//                    a fixed secret: refusals are Error(invalid), positions round-trip
// Properties: parsers never crash; what parses round-trips (a UUID prints back as its lowercase
// text, a timestamp prints to text that parses to the same instant, a sort key is one of four).
//
// TODO(transport): point this target at the server's own query parser (examples/server/http.cpp
// turns a request target into params; routes.cpp into PageRequest/LeadFilter/LeadSort) instead of
// mirroring it here.
#include "fuzz_common.hpp"

#include "cursor.hpp"
#include "validate.hpp"

#include <crm/error.hpp>

#include <crm/models.hpp>
#include <crm/types.hpp>

#include <cctype>
#include <charconv>
#include <string>
#include <string_view>

namespace {

// The keyset cursor decoder, as the core runs it for ?cursor=: anything it did not make for this
// list is Error(invalid) on "cursor" (never another exception, never a crash); what it decodes
// encodes back to a cursor that decodes to the same position.
void cursor(std::string_view value) {
    static const crm::detail::CursorCodec codec("fuzz-cursor-secret-0123456789-abcdefghij");
    crm::detail::CursorContext context("leads");
    context.add("-createdAt").add("owner=me");
    try {
        auto position = codec.decode(context, value);
        CRM_FUZZ_CHECK(codec.decode(context, codec.encode(context, position)) == position);
    } catch (const crm::Error& e) {
        CRM_FUZZ_CHECK(e.code() == crm::Errc::invalid);
    }
    // Any position a list can make round-trips: a sort value up to a 255-character title in
    // 4-byte UTF-8 and a 36-character id. (Longer ones make tokens over the decoder's 2 KiB cap,
    // which it refuses as it should.)
    if (value.size() <= 1020) {
        crm::detail::Keyset made{std::string(value), std::string(value.substr(0, 36))};
        CRM_FUZZ_CHECK(codec.decode(context, codec.encode(context, made)) == made);
    }
}

std::string percent_decode(std::string_view s) {
    std::string out;
    for (std::size_t i = 0; i < s.size(); ++i) {
        if (s[i] == '+') {
            out.push_back(' ');
        } else if (s[i] == '%' && i + 2 < s.size() && std::isxdigit(static_cast<unsigned char>(s[i + 1])) &&
                   std::isxdigit(static_cast<unsigned char>(s[i + 2]))) {
            out.push_back(static_cast<char>(std::stoi(std::string(s.substr(i + 1, 2)), nullptr, 16)));
            i += 2;
        } else {
            out.push_back(s[i]);
        }
    }
    return out;
}

std::string lower(std::string_view s) {
    std::string out(s);
    for (auto& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return out;
}

void integer(std::string_view value, crm::PageRequest& page, bool is_page) {
    std::int64_t n = 0;
    auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), n);
    if (ec != std::errc{} || end != value.data() + value.size()) return;  // the server's 400
    (is_page ? page.page : page.limit) = n;
    crm::detail::Validator v;
    v.page(page);
    const bool valid = v.errors().empty();
    CRM_FUZZ_CHECK(valid == (page.page >= 1 && page.page <= crm::PageRequest::max_page && page.limit >= 1 &&
                             page.limit <= crm::PageRequest::max_limit));
}

void timestamp(std::string_view value) {
    auto t = crm::parse_timestamp(value);
    if (!t) return;
    auto text = crm::format_timestamp(*t);
    auto again = crm::parse_timestamp(text);
    CRM_FUZZ_CHECK(again && *again == *t);
    CRM_FUZZ_CHECK(crm::format_timestamp(*again) == text);
}

void parameter(std::string_view name, std::string_view value, crm::PageRequest& page) {
    if (name == "page" || name == "limit") {
        integer(value, page, name == "page");
    } else if (name == "status") {
        for (std::size_t start = 0; start <= value.size();) {
            auto comma = value.find(',', start);
            auto item = value.substr(start, comma == std::string_view::npos ? std::string_view::npos : comma - start);
            if (auto status = crm::parse<crm::LeadStatus>(item)) CRM_FUZZ_CHECK(crm::to_string(*status) == item);
            if (comma == std::string_view::npos) break;
            start = comma + 1;
        }
    } else if (name == "ownerId") {
        if (value == "null") return;
        if (auto id = crm::Uuid::parse(value)) {
            CRM_FUZZ_CHECK(id->to_string() == lower(value));
            CRM_FUZZ_CHECK(crm::Uuid::parse(id->to_string()) == id);
        }
    } else if (name == "sort") {
        if (auto sort = crm::LeadSort::parse(value)) {
            CRM_FUZZ_CHECK(sort->descending == (!value.empty() && value.front() == '-'));
            CRM_FUZZ_CHECK(value.size() <= 10);  // "-createdAt" is the longest
        }
    } else if (name == "cursor" || name == "after") {
        timestamp(value);
        cursor(value);
    }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size > 8192) return -1;
    std::string_view query(reinterpret_cast<const char*>(data), size);
    if (!query.empty() && query.front() == '?') query.remove_prefix(1);
    crm::PageRequest page;
    for (std::size_t start = 0; start <= query.size();) {
        auto amp = query.find('&', start);
        auto pair = query.substr(start, amp == std::string_view::npos ? std::string_view::npos : amp - start);
        auto eq = pair.find('=');
        std::string name = percent_decode(pair.substr(0, eq));
        std::string value = eq == std::string_view::npos ? std::string() : percent_decode(pair.substr(eq + 1));
        parameter(name, value, page);
        // Every parser sees every value too: the fuzzer need not find the parameter names first.
        crm::PageRequest scratch;
        integer(value, scratch, true);
        timestamp(value);
        (void)crm::Uuid::parse(value);
        (void)crm::LeadSort::parse(value);
        (void)crm::parse<crm::LeadStatus>(value);
        cursor(value);
        if (amp == std::string_view::npos) break;
        start = amp + 1;
    }
    return 0;
}
