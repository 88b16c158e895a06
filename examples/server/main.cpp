// crm-server: the /api HTTP contract over libcrm. This file sets up transport and configuration;
// routes.cpp holds the handlers, router.cpp the HTTP concerns around them.
#include "config.hpp"
#include "log.hpp"
#include "router.hpp"
#include "transport.hpp"

#include <crm/crm.hpp>
#include <fmt/format.h>

#include <pthread.h>
#include <signal.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cerrno>
#include <cstring>
#include <iostream>
#include <mutex>
#include <thread>

namespace {

using namespace crm_server;

std::atomic<bool> stop_requested{false};
std::atomic<int> stop_grace_seconds{15};  // the shutdown timeout and a margin
std::mutex server_mutex;                  // guards `running_server` against its destruction
HttpServer* running_server = nullptr;

void request_stop() {
    stop_requested = true;
    std::lock_guard lock(server_mutex);
    if (running_server) running_server->stop();
}

// SIGINT/SIGTERM are blocked in every thread and taken by this one: the first stops the server
// gracefully (no new connections, requests in flight finish), a second one exits at once, and so
// does a stop that takes longer than the shutdown timeout (a handler stuck in the database).
void watch_signals(sigset_t signals) {
    std::thread([signals] {
        int sig = 0;
        sigwait(&signals, &sig);
        log("info", std::string("received ") + (sig == SIGINT ? "SIGINT" : "SIGTERM") +
                        ": shutting down (finishing requests in flight)");
        request_stop();
        // Interruptions (EINTR: a profiler's or sanitizer's signal) do not count as the deadline.
        auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(stop_grace_seconds.load());
        while (true) {
            auto left = std::chrono::duration_cast<std::chrono::nanoseconds>(deadline - std::chrono::steady_clock::now());
            if (left.count() <= 0) break;
            timespec grace{static_cast<time_t>(left.count() / 1000000000), static_cast<long>(left.count() % 1000000000)};
            if (sigtimedwait(&signals, nullptr, &grace) > 0) {
                log("warn", "second signal: exiting now");
                flush_log();
                _exit(1);
            }
            if (errno != EINTR) break;
        }
        log("warn", "the shutdown did not finish in time: exiting now");
        flush_log();
        _exit(1);
    }).detach();
}

// 10,000 connections need as many descriptors: the soft limit (often 1024) is raised to the hard one.
void raise_file_limit() {
    rlimit limit{};
    if (::getrlimit(RLIMIT_NOFILE, &limit) != 0 || limit.rlim_cur >= limit.rlim_max) return;
    limit.rlim_cur = limit.rlim_max;
    if (::setrlimit(RLIMIT_NOFILE, &limit) != 0)
        log("warn", std::string("cannot raise the open files limit: ") + std::strerror(errno));
}

crm::Database open_database(const Config& config) {
    crm::DatabaseOptions options;
    options.pool_size = config.threads;  // one connection per handler thread
    for (int attempt = 1;; ++attempt) {
        try {
            auto db = crm::Database::open(config.database_url, options);
            db.migrate();
            return db;
        } catch (const crm::Error& e) {
            if (e.code() != crm::Errc::unavailable || attempt >= 30 || stop_requested) throw;
            log("warn", std::string("the database is unavailable (") + e.what() + "), retrying in 1 s");
            std::this_thread::sleep_for(std::chrono::seconds(1));
        }
    }
}

std::string address(const std::string& host, int port) {
    bool v6 = host.find(':') != std::string::npos;
    return v6 ? fmt::format("http://[{}]:{}", host, port) : fmt::format("http://{}:{}", host, port);
}

void usage(std::ostream& out) {
    out << "usage: crm-server\n"
           "Serves the libcrm /api over HTTP. Configured by the environment or a .env file in the\n"
           "working directory: PORT, CRM_HOST, CRM_DATABASE_URL, CRM_JWT_SECRET, CRM_JWT_ALGORITHM,\n"
           "CRM_ACCESS_TOKEN_TTL, CRM_REFRESH_TOKEN_TTL, CRM_ADMIN_EMAIL, CRM_ADMIN_PASSWORD,\n"
           "CRM_CORS_ORIGINS, CRM_THREADS, CRM_IO_THREADS, CRM_HEADER_TIMEOUT, CRM_IDLE_TIMEOUT,\n"
           "CRM_SHUTDOWN_TIMEOUT, CRM_MAX_CONNECTIONS, CRM_MAX_CONNECTIONS_PER_CLIENT, CRM_PASSWORD_COST\n"
           "(see env.example).\n";
}

}  // namespace

int main(int argc, char** argv) {
    if (argc > 1) {
        std::string_view arg = argv[1];
        if (arg == "--print-routes") {  // for the test that compares the routes with docs/openapi.yaml
            print_routes(std::cout);
            return 0;
        }
        if (arg == "--version") {
            std::cout << "crm-server " << crm::version() << '\n';
            return 0;
        }
        usage(arg == "--help" || arg == "-h" ? std::cout : std::cerr);
        return arg == "--help" || arg == "-h" ? 0 : 2;
    }

    sigset_t signals;
    sigemptyset(&signals);
    sigaddset(&signals, SIGINT);
    sigaddset(&signals, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &signals, nullptr);  // inherited by every thread started below
    signal(SIGPIPE, SIG_IGN);
    watch_signals(signals);
    raise_file_limit();

    try {
        Config config = load_config();
        for (const auto& w : config.warnings) log("warn", w);
        config.warnings.clear();
        stop_grace_seconds = static_cast<int>(config.limits.shutdown_timeout.count()) + 5;

        crm::Database db = open_database(config);
        config.auth.jwt_secret = resolve_jwt_secret(config);
        for (const auto& w : config.warnings) log("warn", w);
        crm::Service service(db, config.auth);
        bootstrap_admin(service, config);

        Router router(service, config.cors);
        HttpServer server(router, config.limits, config.threads);
        std::uint16_t port = 0;
        try {
            port = server.listen(config.host, config.port);
        } catch (const ListenError& e) {
            log("fatal", "cannot listen on " + address(config.host, config.port) + ": " + e.what());
            return 1;
        }
        log("info", fmt::format("crm-server {} listening on {} (database {}, schema {}, {} handler threads, {} I/O "
                                "threads)",
                                crm::version(), address(config.host, port),
                                db.backend() == crm::Backend::sqlite ? "SQLite" : "PostgreSQL", db.schema_version(),
                                config.threads, config.limits.io_threads));
        {
            std::lock_guard lock(server_mutex);
            running_server = &server;
        }
        if (stop_requested) server.stop();  // a signal during start-up
        server.run();
        {
            std::lock_guard lock(server_mutex);
            running_server = nullptr;
        }
        log("info", "stopped");
        return 0;
    } catch (const ConfigError& e) {
        log("fatal", std::string("configuration: ") + e.what());
    } catch (const crm::Error& e) {
        log("fatal", std::string("cannot start: ") + e.what());
    } catch (const std::exception& e) {
        log("fatal", std::string("cannot start: ") + e.what());
    }
    return 1;
}
