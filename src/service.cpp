// crm::Service: construction (the checks of AuthOptions) and the principal check every call makes.
#include "service_impl.hpp"

namespace crm {
inline namespace v1 {

using namespace detail;

Service::Impl::Impl(Database database, AuthOptions opts)
    : db(std::move(database)),
      options(std::move(opts)),
      hasher(options.password_opslimit, options.password_memlimit, options.max_concurrent_hashes,
             options.max_queued_hashes),
      throttle(options.login_max_failures, options.login_window) {
    // No secret: a host that never issues tokens (a script, an import) need not invent one.
    if (!options.jwt_secret.empty())
        jwt.emplace(options.jwt_secret, options.jwt_algorithm, options.issuer, options.leeway);
    // Bounded so that issued-at + lifetime and now - leeway can never overflow, and so that a
    // typo (an extra digit, a negative value) is refused instead of issuing tokens that never
    // expire, are born expired, or are accepted forever.
    constexpr std::chrono::seconds max_ttl{10LL * 366 * 24 * 3600};  // ten years
    constexpr std::chrono::seconds max_leeway{300};
    auto check_ttl = [&](const char* field, std::chrono::seconds ttl) {
        if (ttl.count() <= 0 || ttl > max_ttl) throw Error::invalid_field(field, "must be from 1 second to 10 years");
    };
    check_ttl("accessTokenTtl", options.access_token_ttl);
    check_ttl("refreshTokenTtl", options.refresh_token_ttl);
    if (options.leeway.count() < 0 || options.leeway > max_leeway)
        throw Error::invalid_field("leeway", "must be from 0 to 300 seconds");
    if (options.principal_max_age.count() < 0 || options.principal_max_age > std::chrono::hours(1))
        throw Error::invalid_field("principalMaxAge", "must be from 0 to 1 hour");
}

const JwtCodec& Service::Impl::token_codec() const {
    if (!jwt) throw Error::invalid_field("jwtSecret", "is required to issue or verify tokens (none was configured)");
    return *jwt;
}

Service::Service(Database db, AuthOptions options) : impl_(std::make_unique<Impl>(std::move(db), std::move(options))) {}
Service::~Service() = default;
Service::Service(Service&&) noexcept = default;
Service& Service::operator=(Service&&) noexcept = default;
Database& Service::database() noexcept { return impl_->db; }

Principal Service::Impl::current(const Principal& principal) const {
    if (principal.is_system() ||
        std::chrono::steady_clock::now() - principal.verified_at_ <= options.principal_max_age)
        return principal;
    auto user = with_lease(pool(), [&](Lease& lease) { return user_store::find(lease, principal.user_id()); });
    if (!user) throw Error(Errc::unauthorized, "the user of this principal no longer exists");
    return Principal{user->id, user->role, false};
}

}  // namespace v1
}  // namespace crm
