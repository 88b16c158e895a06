#include "log.hpp"

#include <crm/types.hpp>
#include <fmt/format.h>

#include <cstdio>
#include <mutex>

namespace crm_server {

void log(std::string_view level, std::string_view message) {
    static std::mutex mutex;
    std::string line = fmt::format("{} {} {}\n", crm::format_timestamp(crm::now()), level, message);
    std::lock_guard lock(mutex);
    std::fwrite(line.data(), 1, line.size(), stderr);
    std::fflush(stderr);
}

std::string log_safe(std::string_view text) {
    static constexpr char hex[] = "0123456789ABCDEF";
    std::string out;
    out.reserve(text.size());
    for (char ch : text) {
        auto c = static_cast<unsigned char>(ch);
        if (c <= 0x20 || c >= 0x7F || c == '"' || c == '%') {
            out.push_back('%');
            out.push_back(hex[c >> 4]);
            out.push_back(hex[c & 0xF]);
        } else {
            out.push_back(ch);
        }
    }
    return out;
}

}  // namespace crm_server
