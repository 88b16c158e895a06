// crm-server: the /api HTTP contract over libcrm. This file sets up transport and configuration;
// routes.cpp holds the handlers, router.cpp the HTTP concerns around them.
#include "config.hpp"
#include "log.hpp"
#include "router.hpp"

#include <crm/crm.hpp>

#include <httplib.h>

#include <pthread.h>
#include <sys/socket.h>
#include <signal.h>
#include <unistd.h>

#include <atomic>
#include <cstring>
#include <iostream>
#include <thread>

namespace {

using namespace crm_server;

// cpp-httplib listens with a backlog of 5 (CPPHTTPLIB_LISTEN_BACKLOG, fixed when Debian built
// the library): a burst of connections would overflow it and be reset. Listening again on the
// bound socket raises the backlog.
class HttpServer : public httplib::Server {
public:
    void raise_backlog() {
        socket_t sock = svr_sock_;
        if (sock != INVALID_SOCKET && ::listen(sock, SOMAXCONN) != 0)
            log("warn", std::string("cannot raise the listen backlog: ") + std::strerror(errno));
    }
};

std::atomic<bool> stop_requested{false};
std::atomic<bool> listening_done{false};

// SIGINT/SIGTERM are blocked in every thread and taken by this one: the first stops the server
// gracefully (no new connections, requests in flight finish), a second one exits at once.
void watch_signals(sigset_t signals, httplib::Server& server) {
    std::thread([signals, &server] {
        int sig = 0;
        sigwait(&signals, &sig);
        log("info", std::string("received ") + (sig == SIGINT ? "SIGINT" : "SIGTERM") +
                        ": shutting down (finishing requests in flight)");
        stop_requested = true;
        std::thread([signals] {
            int again = 0;
            sigwait(&signals, &again);
            log("warn", "second signal: exiting now");
            _exit(1);
        }).detach();
        // stop() only acts once the server runs: repeat until listen_after_bind() has returned.
        while (!listening_done) {
            if (server.is_running()) server.stop();
            std::this_thread::sleep_for(std::chrono::milliseconds(20));
        }
    }).detach();
}

crm::Database open_database(const Config& config) {
    crm::DatabaseOptions options;
    options.pool_size = config.threads;  // one connection per HTTP worker
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
    return "http://" + (v6 ? "[" + host + "]" : host) + ":" + std::to_string(port);
}

void usage(std::ostream& out) {
    out << "usage: crm-server\n"
           "Serves the libcrm /api over HTTP. Configured by the environment or a .env file in the\n"
           "working directory: PORT, CRM_HOST, CRM_DATABASE_URL, CRM_JWT_SECRET, CRM_JWT_ALGORITHM,\n"
           "CRM_ACCESS_TOKEN_TTL, CRM_REFRESH_TOKEN_TTL, CRM_ADMIN_EMAIL, CRM_ADMIN_PASSWORD,\n"
           "CRM_CORS_ORIGINS, CRM_THREADS, CRM_PASSWORD_COST (see env.example).\n";
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

    HttpServer server;
    watch_signals(signals, server);
    try {
        Config config = load_config();
        for (const auto& w : config.warnings) log("warn", w);
        config.warnings.clear();

        crm::Database db = open_database(config);
        config.auth.jwt_secret = resolve_jwt_secret(config);
        for (const auto& w : config.warnings) log("warn", w);
        crm::Service service(db, config.auth);
        bootstrap_admin(service, config);

        Router router(service, config.cors);
        router.install(server);
        server.new_task_queue = [threads = config.threads] { return new httplib::ThreadPool(threads); };
        // Responses go out in several writes (headers, body): without TCP_NODELAY, Nagle's
        // algorithm and the client's delayed ACK add ~40 ms to every keep-alive request.
        server.set_tcp_nodelay(true);
        server.set_keep_alive_max_count(100);
        server.set_keep_alive_timeout(5);
        server.set_read_timeout(15);
        server.set_write_timeout(15);

        int port = config.port;
        if (port == 0)
            port = server.bind_to_any_port(config.host);
        else if (!server.bind_to_port(config.host, port))
            port = -1;
        if (port <= 0) {
            log("fatal", "cannot listen on " + address(config.host, config.port) + ": " + std::strerror(errno));
            return 1;
        }
        server.raise_backlog();
        log("info", "crm-server " + std::string(crm::version()) + " listening on " + address(config.host, port) +
                        " (database " + (db.backend() == crm::Backend::sqlite ? "SQLite" : "PostgreSQL") + ", schema " +
                        std::to_string(db.schema_version()) + ", " + std::to_string(config.threads) + " threads)");
        if (!stop_requested) server.listen_after_bind();
        listening_done = true;
        log("info", "stopped");
        return 0;
    } catch (const ConfigError& e) {
        log("fatal", std::string("configuration: ") + e.what());
    } catch (const crm::Error& e) {
        log("fatal", std::string("cannot start: ") + e.what());
    } catch (const std::exception& e) {
        log("fatal", std::string("cannot start: ") + e.what());
    }
    listening_done = true;
    return 1;
}
