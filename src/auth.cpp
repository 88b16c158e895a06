// Names of the enums declared by auth.hpp.
#include <crm/auth.hpp>

namespace crm {
inline namespace v1 {

std::string_view to_string(JwtAlgorithm algorithm) noexcept {
    switch (algorithm) {
        case JwtAlgorithm::hs256: return "HS256";
        case JwtAlgorithm::hs384: return "HS384";
        case JwtAlgorithm::hs512: return "HS512";
    }
    return "";
}

template <>
std::optional<JwtAlgorithm> parse<JwtAlgorithm>(std::string_view text) noexcept {
    for (JwtAlgorithm a : {JwtAlgorithm::hs256, JwtAlgorithm::hs384, JwtAlgorithm::hs512})
        if (to_string(a) == text) return a;
    return std::nullopt;
}

}  // namespace v1
}  // namespace crm
