// The transport over raw sockets: slow and idle clients, header floods and limits, request
// framing (bodies on any method, pipelining, 100-continue, chunked, HTTP/1.0), Range ignored,
// connection caps, and binding a busy port. Deadlines are shortened through the environment.
#include "harness.hpp"

#include <doctest/doctest.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <fstream>
#include <functional>
#include <thread>

using namespace crmtest;
using Clock = std::chrono::steady_clock;

namespace {

// A raw client connection; closed by the destructor.
class Socket {
public:
    explicit Socket(int port) : fd_(::socket(AF_INET, SOCK_STREAM, 0)) {
        sockaddr_in addr{};
        addr.sin_family = AF_INET;
        addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        addr.sin_port = htons(static_cast<std::uint16_t>(port));
        connected_ = fd_ >= 0 && ::connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0;
    }
    ~Socket() {
        if (fd_ >= 0) ::close(fd_);
    }
    Socket(const Socket&) = delete;
    Socket& operator=(const Socket&) = delete;
    Socket(Socket&& other) noexcept : fd_(std::exchange(other.fd_, -1)), connected_(other.connected_) {}

    [[nodiscard]] bool connected() const { return connected_; }
    void close() {
        if (fd_ >= 0) ::close(fd_);
        fd_ = -1;
    }

    bool send(const std::string& bytes) {
        for (std::size_t sent = 0; sent < bytes.size();) {
            ssize_t n = ::send(fd_, bytes.data() + sent, bytes.size() - sent, MSG_NOSIGNAL);
            if (n <= 0) return false;
            sent += static_cast<std::size_t>(n);
        }
        return true;
    }

    // Reads until `done(received)` holds, the peer closes, or `timeout` passes. eof() tells which.
    std::string read(std::chrono::milliseconds timeout, const std::function<bool(const std::string&)>& done = {}) {
        std::string out;
        auto deadline = Clock::now() + timeout;
        while (!(done && done(out))) {
            auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count();
            if (left <= 0) break;
            pollfd p{fd_, POLLIN, 0};
            if (::poll(&p, 1, static_cast<int>(left)) <= 0) break;
            char buffer[16384];
            ssize_t n = ::recv(fd_, buffer, sizeof buffer, 0);
            if (n <= 0) {
                eof_ = true;
                break;
            }
            out.append(buffer, static_cast<std::size_t>(n));
        }
        return out;
    }
    std::string read_to_eof(std::chrono::milliseconds timeout) { return read(timeout); }
    [[nodiscard]] bool eof() const { return eof_; }

private:
    int fd_;
    bool connected_ = false;
    bool eof_ = false;
};

// One complete response at the start of `text` (Content-Length framed): its length, else 0.
std::size_t response_length(const std::string& text) {
    auto end = text.find("\r\n\r\n");
    if (end == std::string::npos) return 0;
    std::string head = text.substr(0, end);
    std::size_t length = 0;
    for (std::string name : {"Content-Length: ", "content-length: "})
        if (auto at = head.find(name); at != std::string::npos) length = std::stoul(head.substr(at + name.size()));
    return text.size() >= end + 4 + length ? end + 4 + length : 0;
}

int count_responses(const std::string& text) {
    int n = 0;
    for (std::size_t at = 0; (at = text.find("HTTP/1.1 ", at)) != std::string::npos; at += 9) ++n;
    return n;
}

bool starts_with(const std::string& text, const std::string& prefix) { return text.rfind(prefix, 0) == 0; }

std::string body_of(const std::string& response) {
    auto end = response.find("\r\n\r\n");
    return end == std::string::npos ? "" : response.substr(end + 4);
}

// The problem+json of a raw response, its code checked.
void expect_raw_problem(const std::string& response, int status, const std::string& code) {
    CHECK_MESSAGE(starts_with(response, "HTTP/1.1 " + std::to_string(status) + " "), response.substr(0, 300));
    CHECK(response.find("Content-Type: application/problem+json") != std::string::npos);
    CHECK(response.find("X-Request-Id: ") != std::string::npos);
    auto body = json::parse(body_of(response), nullptr, false);
    if (body.is_discarded()) {  // not REQUIRE: a caller may have a thread to join
        FAIL_CHECK("not a problem body: " << response.substr(0, 300));
        return;
    }
    CHECK(body["status"] == status);
    CHECK(body["code"] == code);
    CHECK(body["errors"].is_array());
}

long rss_kib(pid_t pid) {
    std::ifstream in("/proc/" + std::to_string(pid) + "/status");
    std::string line;
    while (std::getline(in, line))
        if (line.rfind("VmRSS:", 0) == 0) return std::stol(line.substr(6));
    return -1;
}

std::string get(const std::string& path, const std::string& extra = "") {
    return "GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\n" + extra + "\r\n";
}

constexpr auto second = std::chrono::milliseconds(1000);

}  // namespace

TEST_CASE("server: idle, partial and trickling connections neither block others nor stay open") {
    Server server(with_env({{"CRM_HEADER_TIMEOUT", "2"}, {"CRM_IDLE_TIMEOUT", "2"}}));
    auto admin = admin_session(server);

    std::vector<Socket> idle, partial, trickling;
    for (int i = 0; i < 300; ++i) idle.emplace_back(server.port());
    for (int i = 0; i < 30; ++i) {
        partial.emplace_back(server.port());
        partial.back().send("GET /api/health HTTP/1.1\r\nHost: x\r\nX-Slow: ");
    }
    for (int i = 0; i < 30; ++i) {
        trickling.emplace_back(server.port());
        trickling.back().send("GET /api/health HTTP/1.1\r\n");
    }
    for (auto* group : {&idle, &partial, &trickling})
        for (auto& s : *group) REQUIRE(s.connected());
    std::atomic<bool> trickle{true};
    std::thread feeder([&] {  // a header line every 100 ms: each read is quick, the head never ends
        for (int line = 0; trickle; ++line) {
            for (auto& s : trickling) s.send("X-Line-" + std::to_string(line) + ": a\r\n");
            std::this_thread::sleep_for(std::chrono::milliseconds(100));
        }
    });

    // Meanwhile other clients are served promptly.
    for (int i = 0; i < 5; ++i) {
        Socket health(server.port());
        health.send(get("/api/health"));
        std::string answer = health.read(second, [](const std::string& s) { return response_length(s) > 0; });
        CHECK_MESSAGE(starts_with(answer, "HTTP/1.1 200 "), "health " << i << ": " << answer);
        Socket me(server.port());
        me.send(get("/api/auth/me", "Authorization: Bearer " + admin.access + "\r\n"));
        answer = me.read(second, [](const std::string& s) { return response_length(s) > 0; });
        CHECK_MESSAGE(starts_with(answer, "HTTP/1.1 200 "), "me " << i << ": " << answer);
        CHECK(answer.find(admin_email) != std::string::npos);
        std::this_thread::sleep_for(std::chrono::milliseconds(200));
    }

    // Past the header deadline every slow connection is closed: the idle ones silently, the
    // others after a 408.
    for (auto& s : idle) {
        std::string rest = s.read_to_eof(6 * second);
        CHECK(s.eof());
        CHECK(rest.empty());
    }
    for (auto* group : {&partial, &trickling}) {
        for (auto& s : *group) {
            std::string rest = s.read_to_eof(6 * second);
            CHECK(s.eof());
            expect_raw_problem(rest, 408, "REQUEST_TIMEOUT");
        }
    }
    trickle = false;
    feeder.join();

    // A keep-alive connection is closed once idle for CRM_IDLE_TIMEOUT.
    Socket kept(server.port());
    kept.send(get("/api/health"));
    std::string first = kept.read(5 * second, [](const std::string& s) { return response_length(s) > 0; });
    CHECK(starts_with(first, "HTTP/1.1 200 "));
    CHECK(first.find("Connection: close") == std::string::npos);
    CHECK(kept.read_to_eof(6 * second).empty());
    CHECK(kept.eof());
    CHECK(server.get("/api/health").status == 200);
}

TEST_CASE("server: header limits answer 431, 414 and 400 and memory stays bounded") {
    Server server;
    // 100 header lines are fine; 101 are not.
    auto with_lines = [](int n) {
        std::string request = "GET /api/health HTTP/1.1\r\nHost: x\r\n";
        for (int i = 1; i < n; ++i) request += "X-Field-" + std::to_string(i) + ": v\r\n";
        return request + "Connection: close\r\n\r\n";
    };
    {
        Socket s(server.port());
        s.send(with_lines(99));  // + Connection: close = 100 fields
        CHECK(starts_with(s.read_to_eof(10 * second), "HTTP/1.1 200 "));
    }
    {
        Socket s(server.port());
        s.send(with_lines(100));
        std::string answer = s.read_to_eof(10 * second);
        expect_raw_problem(answer, 431, "REQUEST_HEADER_FIELDS_TOO_LARGE");
        CHECK(answer.find("Connection: close") != std::string::npos);
        CHECK(s.eof());
    }
    // Over 16 KiB of header fields in a few lines.
    {
        Socket s(server.port());
        s.send("GET /api/health HTTP/1.1\r\nHost: x\r\nX-Big: " + std::string(17 * 1024, 'a') + "\r\n\r\n");
        expect_raw_problem(s.read_to_eof(10 * second), 431, "REQUEST_HEADER_FIELDS_TOO_LARGE");
    }
    {
        Socket s(server.port());  // just under: fine
        s.send("GET /api/health HTTP/1.1\r\nHost: x\r\nX-Big: " + std::string(15 * 1024, 'a') +
               "\r\nConnection: close\r\n\r\n");
        CHECK(starts_with(s.read_to_eof(10 * second), "HTTP/1.1 200 "));
    }
    // A target over 8 KiB: 414; garbage: 400; another HTTP version: 505.
    {
        Socket s(server.port());
        s.send("GET /api/leads?q=" + std::string(9000, 'q') + " HTTP/1.1\r\nHost: x\r\n\r\n");
        expect_raw_problem(s.read_to_eof(10 * second), 414, "URI_TOO_LONG");
    }
    {
        Socket s(server.port());
        s.send("\x16\x03\x01 this is not HTTP at all\r\n\r\n");
        expect_raw_problem(s.read_to_eof(10 * second), 400, "BAD_REQUEST");
    }
    {
        Socket s(server.port());
        s.send("GET /api/health HTTP/2.0\r\nHost: x\r\n\r\n");
        expect_raw_problem(s.read_to_eof(10 * second), 505, "HTTP_VERSION_NOT_SUPPORTED");
    }
    {
        Socket s(server.port());  // a body length nobody can know
        s.send("POST /api/auth/login HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: gzip\r\n\r\nxxxx");
        expect_raw_problem(s.read_to_eof(10 * second), 400, "BAD_REQUEST");
    }

    // A flood of header lines (about 12 MB) is refused at line 101: nothing of it is kept.
    long before = rss_kib(server.pid());
    REQUIRE(before > 0);
    for (int round = 0; round < 3; ++round) {
        Socket s(server.port());
        std::atomic<bool> sending{true};
        std::thread sender([&] {
            std::string block;
            for (int i = 0; i < 4000; ++i) block += "X-Flood-" + std::to_string(i) + ": aaaaaaaaaaaaaaaa\r\n";
            std::string request = "GET /api/health HTTP/1.1\r\nHost: x\r\n";
            s.send(request);
            for (int i = 0; i < 100 && sending; ++i)
                if (!s.send(block)) break;
        });
        std::string answer = s.read(10 * second, [](const std::string& a) { return response_length(a) > 0; });
        sending = false;
        sender.join();
        expect_raw_problem(answer, 431, "REQUEST_HEADER_FIELDS_TOO_LARGE");
    }
    long after = rss_kib(server.pid());
    MESSAGE("server RSS before the floods " << before << " KiB, after " << after << " KiB");
    CHECK(after - before < 10 * 1024);
    CHECK(server.get("/api/health").status == 200);
}

TEST_CASE("server: bodies are framed on every method, Range is ignored, 100-continue and chunked work") {
    Server server(with_env({{"CRM_IDLE_TIMEOUT", "1"}}));
    auto admin = admin_session(server);
    std::string auth = "Authorization: Bearer " + admin.access + "\r\n";

    // Range is not served: the whole JSON, no Content-Range, 200.
    auto ranged = server.send("GET", "/api/health", "", std::nullopt, "", {{"Range", "bytes=0-10"}});
    CHECK(ranged.status == 200);
    CHECK_FALSE(ranged.has_header("Content-Range"));
    CHECK(ranged.json() == json{{"status", "ok"}, {"database", "ok"}});
    CHECK(server.send("GET", "/api/leads", admin.access, std::nullopt, "", {{"Range", "bytes=5-"}}).json().contains("data"));

    // A GET, DELETE or OPTIONS with a body: the body is read and ignored, never taken for the next
    // request. The connection then idles until the server closes it: exactly one response.
    std::string smuggled = "GET /api/health HTTP/1.1\r\nHost: x\r\n\r\n";
    for (std::string method : {"GET", "OPTIONS", "DELETE"}) {
        CAPTURE(method);
        Socket s(server.port());
        s.send(method + " /api/auth/me HTTP/1.1\r\nHost: x\r\n" + auth +
               "Content-Length: " + std::to_string(smuggled.size()) + "\r\n\r\n" + smuggled);
        std::string all = s.read_to_eof(5 * second);
        CHECK(s.eof());
        CHECK_MESSAGE(count_responses(all) == 1, all);
        CHECK(all.find("\"database\"") == std::string::npos);
    }
    // The same with a chunked body.
    {
        Socket s(server.port());
        char size[16];
        std::snprintf(size, sizeof size, "%zx\r\n", smuggled.size());
        s.send("GET /api/auth/me HTTP/1.1\r\nHost: x\r\n" + auth + "Transfer-Encoding: chunked\r\n\r\n" + size +
               smuggled + "\r\n0\r\n\r\n");
        std::string all = s.read_to_eof(5 * second);
        CHECK_MESSAGE(count_responses(all) == 1, all);
        CHECK(starts_with(all, "HTTP/1.1 200 "));
    }

    // 1 MiB holds for every method: a 2 MiB Content-Length is refused before the body is sent.
    for (std::string method : {"GET", "POST", "DELETE"}) {
        CAPTURE(method);
        Socket s(server.port());
        s.send(method + " /api/leads HTTP/1.1\r\nHost: x\r\n" + auth +
               "Content-Type: application/json\r\nContent-Length: " + std::to_string(2 * 1024 * 1024) + "\r\n\r\n");
        std::string answer = s.read_to_eof(5 * second);
        expect_raw_problem(answer, 413, "PAYLOAD_TOO_LARGE");
        CHECK(answer.find("Connection: close") != std::string::npos);
        CHECK(s.eof());
    }
    // A GET whose body is over 1 MiB and sent at once: 413 too (the client reads it).
    auto big_get = server.send("GET", "/api/health", "", std::string(2 * 1024 * 1024, 'x'), "text/plain");
    CHECK(big_get.status == 413);

    // Expect: 100-continue: 100 first, the final answer after the body.
    {
        std::string body = R"({"title":"after continue"})";
        Socket s(server.port());
        s.send("POST /api/leads HTTP/1.1\r\nHost: x\r\n" + auth + "Content-Type: application/json\r\nContent-Length: " +
               std::to_string(body.size()) + "\r\nExpect: 100-continue\r\n\r\n");
        std::string interim = s.read(5 * second, [](const std::string& a) { return a.find("\r\n\r\n") != std::string::npos; });
        CHECK(interim == "HTTP/1.1 100 Continue\r\n\r\n");
        s.send(body);
        std::string answer = s.read(5 * second, [](const std::string& a) { return response_length(a) > 0; });
        CHECK_MESSAGE(starts_with(answer, "HTTP/1.1 201 "), answer);
        CHECK(answer.find("after continue") != std::string::npos);
    }
    {  // refused without the 100
        Socket s(server.port());
        s.send("POST /api/leads HTTP/1.1\r\nHost: x\r\n" + auth + "Content-Type: application/json\r\nContent-Length: " +
               std::to_string(5 * 1024 * 1024) + "\r\nExpect: 100-continue\r\n\r\n");
        expect_raw_problem(s.read_to_eof(5 * second), 413, "PAYLOAD_TOO_LARGE");
    }

    // A chunked JSON body is a body like any other; a broken chunk is a 400.
    {
        Socket s(server.port());
        s.send("POST /api/leads HTTP/1.1\r\nHost: x\r\n" + auth +
               "Content-Type: application/json\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n"
               "a\r\n{\"title\":\"\r\n9\r\nin chunks\r\n2\r\n\"}\r\n0\r\n\r\n");
        std::string answer = s.read_to_eof(5 * second);
        CHECK_MESSAGE(starts_with(answer, "HTTP/1.1 201 "), answer);
        CHECK(answer.find("in chunks") != std::string::npos);
    }
    {
        Socket s(server.port());
        s.send("POST /api/leads HTTP/1.1\r\nHost: x\r\n" + auth +
               "Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nnot a chunk\r\n");
        expect_raw_problem(s.read_to_eof(5 * second), 400, "BAD_REQUEST");
    }
}

TEST_CASE("server: pipelined requests are answered in order and HTTP/1.0 closes") {
    Server server(with_env({{"CRM_IDLE_TIMEOUT", "1"}}));
    auto admin = admin_session(server);
    std::string auth = "Authorization: Bearer " + admin.access + "\r\n";
    std::string body = R"({"title":"pipelined"})";
    Socket s(server.port());
    s.send(get("/api/health") + get("/api/nope") +
           "POST /api/leads HTTP/1.1\r\nHost: x\r\n" + auth + "Content-Type: application/json\r\nContent-Length: " +
           std::to_string(body.size()) + "\r\n\r\n" + body + get("/api/auth/me", auth) +
           "HEAD /api/health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
    std::string all = s.read_to_eof(10 * second);
    CHECK(s.eof());
    std::vector<std::string> statuses;
    std::size_t at = 0;
    for (int i = 0; i < 4; ++i) {
        std::size_t n = response_length(all.substr(at));
        REQUIRE_MESSAGE(n > 0, all);
        statuses.push_back(all.substr(at + 9, 3));
        at += n;
    }
    CHECK(statuses == std::vector<std::string>{"200", "404", "201", "200"});
    std::string last = all.substr(at);  // the HEAD: headers only
    CHECK(starts_with(last, "HTTP/1.1 200 "));
    CHECK(last.find("Connection: close") != std::string::npos);
    CHECK(body_of(last).empty());
    CHECK(all.find("pipelined") != std::string::npos);

    // HTTP/1.0 closes after the response unless the client asked to keep it.
    Socket old(server.port());
    old.send("GET /api/health HTTP/1.0\r\n\r\n");
    std::string answer = old.read_to_eof(5 * second);
    CHECK(old.eof());
    CHECK(starts_with(answer, "HTTP/1.1 200 "));
    CHECK(answer.find("Connection: close") != std::string::npos);
    CHECK(body_of(answer) == R"({"status":"ok","database":"ok"})");

    // The access log names the client and the body size, never a header.
    server.stop();
    std::string log = server.log();
    CHECK(log.find("POST /api/leads 201") != std::string::npos);
    CHECK(log.find("client=127.0.0.1") != std::string::npos);
    CHECK(log.find("bytes=31 ") != std::string::npos);  // the health body
    CHECK(log.find(admin.access) == std::string::npos);
}

TEST_CASE("server: connection caps close what is over them at once") {
    Server server(with_env({{"CRM_MAX_CONNECTIONS_PER_CLIENT", "8"}, {"CRM_HEADER_TIMEOUT", "30"}}));
    std::vector<Socket> held;
    for (int i = 0; i < 8; ++i) {
        held.emplace_back(server.port());
        REQUIRE(held.back().connected());
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(300));  // all accepted
    Socket over(server.port());
    over.send(get("/api/health"));
    std::string answer = over.read_to_eof(5 * second);
    CHECK(over.eof());
    CHECK(answer.empty());
    // A held connection still works, and a freed slot is reused.
    held[0].send(get("/api/health", "Connection: close\r\n"));
    CHECK(starts_with(held[0].read_to_eof(5 * second), "HTTP/1.1 200 "));
    held[0].close();
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
    Socket again(server.port());
    again.send(get("/api/health", "Connection: close\r\n"));
    CHECK(starts_with(again.read_to_eof(5 * second), "HTTP/1.1 200 "));
    CHECK(server.log().find("connection limit reached") != std::string::npos);
}

TEST_CASE("server: a second server on a busy port exits 1 and says why") {
    Server first;
    std::string why;
    try {
        Server second(with_env({{"PORT", std::to_string(first.port())}}));
        FAIL("the second server started");
    } catch (const std::runtime_error& e) {
        why = e.what();
    }
    CHECK_MESSAGE(why.find("exited with status 1") != std::string::npos, why);
    CHECK_MESSAGE(why.find("cannot listen on http://127.0.0.1:" + std::to_string(first.port()) +
                           ": address already in use") != std::string::npos,
                  why);
    CHECK(first.get("/api/health").status == 200);
}

TEST_CASE("server: a thousand idle keep-alive connections cost little memory") {
    rlimit limit{};
    REQUIRE(::getrlimit(RLIMIT_NOFILE, &limit) == 0);
    if (limit.rlim_cur < limit.rlim_max) {
        limit.rlim_cur = limit.rlim_max;
        ::setrlimit(RLIMIT_NOFILE, &limit);
    }
    constexpr int n = 1000;
    REQUIRE(limit.rlim_cur > n + 100);
    Server server(with_env({{"CRM_IDLE_TIMEOUT", "300"}, {"CRM_MAX_CONNECTIONS_PER_CLIENT", "5000"}}));
    {
        // Warm up first: every handler thread and database connection has served requests.
        std::vector<std::thread> warm;
        for (int t = 0; t < 32; ++t)
            warm.emplace_back([&] {
                for (int i = 0; i < 10; ++i) CHECK(server.get("/api/health").status == 200);
            });
        for (auto& t : warm) t.join();
    }
    long before = rss_kib(server.pid());
    std::vector<Socket> clients;
    for (int i = 0; i < n; ++i) {
        clients.emplace_back(server.port());
        REQUIRE(clients.back().connected());
        clients.back().send(get("/api/health"));
    }
    for (auto& c : clients)
        CHECK(starts_with(c.read(10 * second, [](const std::string& a) { return response_length(a) > 0; }),
                          "HTTP/1.1 200 "));
    long after = rss_kib(server.pid());
    MESSAGE(n << " idle keep-alive connections: server RSS " << before << " -> " << after << " KiB");
#ifdef __SANITIZE_ADDRESS__
    // AddressSanitizer's redzones and quarantine roughly triple every allocation: bound the
    // growth, not the production figure.
    CHECK(after - before < 64 * 1024);
#else
    CHECK(after - before < 8 * 1024);  // under 8 KiB each: 10,000 would stay well under 100 MiB
#endif
}

TEST_CASE("server: a body slower than its deadline is 408 and a stop closes idle connections at once") {
    Server server(with_env({{"CRM_HEADER_TIMEOUT", "1"}, {"CRM_IDLE_TIMEOUT", "300"}}));
    auto admin = admin_session(server);
    {
        // 20 bytes announced, 2 sent: the body's deadline (1 s + 20 bytes at 64 KiB/s) passes.
        Socket s(server.port());
        s.send("POST /api/leads HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + admin.access +
               "\r\nContent-Type: application/json\r\nContent-Length: 20\r\n\r\n{\"");
        std::string answer = s.read_to_eof(10 * second);
        expect_raw_problem(answer, 408, "REQUEST_TIMEOUT");
        CHECK(s.eof());
    }
    // Kept-alive connections between requests do not hold up a stop.
    std::vector<Socket> idle;
    for (int i = 0; i < 20; ++i) {
        idle.emplace_back(server.port());
        idle.back().send(get("/api/health"));
        CHECK(starts_with(idle.back().read(5 * second, [](const std::string& a) { return response_length(a) > 0; }),
                          "HTTP/1.1 200 "));
    }
    CHECK(server.stop() == 0);
    // Had they been waited for, the stop would have run into its timeout and said so.
    CHECK(server.log().find("still busy after the shutdown timeout") == std::string::npos);
    for (auto& s : idle) {
        CHECK(s.read_to_eof(5 * second).empty());
        CHECK(s.eof());
    }
}
