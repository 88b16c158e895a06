#include "transport.hpp"

#include "log.hpp"
#include "problem.hpp"
#include "router.hpp"

#include <boost/asio/dispatch.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <fmt/format.h>

#include <sys/socket.h>

#include <array>
#include <atomic>
#include <limits>
#include <mutex>
#include <optional>
#include <thread>
#include <unordered_map>
#include <vector>

namespace crm_server {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = net::ip::tcp;
using Clock = std::chrono::steady_clock;
using error_code = boost::system::error_code;

namespace {

// A request head can take the request line (target plus method and version) and the header
// block; the read buffer never grows beyond this, whatever a client sends.
constexpr std::size_t max_request_line = max_target_bytes + 64;
constexpr std::size_t max_buffer = max_request_line + max_header_bytes + 4096;
constexpr std::size_t read_chunk = 4096;
// How long a closing connection is drained (so the client reads our last response before the
// kernel would reset the connection over unread bytes).
constexpr auto linger_time = std::chrono::seconds(2);

std::string client_address(const tcp::endpoint& endpoint) {
    auto address = endpoint.address();
    if (address.is_v6() && address.to_v6().is_v4_mapped())
        address = net::ip::make_address_v4(net::ip::v4_mapped, address.to_v6());
    return address.to_string();
}

// "Address already in use" -> "address already in use", for the log line.
std::string lower_first(std::string text) {
    if (!text.empty() && text[0] >= 'A' && text[0] <= 'Z') text[0] = static_cast<char>(text[0] + 32);
    return text;
}

Clock::duration transfer_time(std::size_t bytes, std::chrono::seconds base) {
    return base + std::chrono::milliseconds(bytes * 1000 / min_transfer_rate);
}

// A warning at most every 10 s per kind: a flood must not flood the log as well.
void warn_limited(std::atomic<std::int64_t>& last, const std::string& message) {
    auto now = std::chrono::duration_cast<std::chrono::seconds>(Clock::now().time_since_epoch()).count();
    auto before = last.load();
    if (now - before >= 10 && last.compare_exchange_strong(before, now)) log("warn", message);
}

// Whether the request line in the first `head` bytes ends in "HTTP/<digit>.<digit>": a version we
// do not serve (505) rather than garbage (400). Beast refuses both alike.
bool well_formed_version(const beast::flat_buffer& buffer, std::size_t head) {
    std::string_view text(static_cast<const char*>(buffer.data().data()), head);
    std::string_view line = text.substr(0, text.find('\n'));
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    auto space = line.rfind(' ');
    if (space == std::string_view::npos) return false;
    std::string_view v = line.substr(space + 1);
    auto digit = [](char c) { return c >= '0' && c <= '9'; };
    return v.size() == 8 && v.substr(0, 5) == "HTTP/" && digit(v[5]) && v[6] == '.' && digit(v[7]);
}

class Connection;

}  // namespace

struct HttpServer::Impl {
    Impl(const Router& router, const Limits& limits, unsigned workers)
        : router(router), limits(limits), strand(net::make_strand(ioc)), acceptor(strand), retry_timer(strand),
          stop_timer(strand), workers(workers) {}

    void accept();
    void on_accept(const error_code& ec, tcp::socket socket);
    void begin_stop();
    void watch_stop(Clock::time_point deadline);
    void forget(Connection* connection, const std::string& client);

    const Router& router;
    const Limits limits;

    // Declared before the io_context: a connection destroyed with it still unregisters here.
    std::mutex mutex;
    std::unordered_map<Connection*, std::weak_ptr<Connection>> connections;
    std::unordered_map<std::string, std::size_t> per_client;
    std::atomic<bool> stopping{false};
    std::atomic<std::int64_t> last_refusal_warning{0}, last_accept_warning{0};

    net::io_context ioc;
    // Accepting and stopping run on one strand: the I/O threads would otherwise race on the acceptor.
    net::strand<net::io_context::executor_type> strand;
    tcp::acceptor acceptor;
    net::steady_timer retry_timer, stop_timer;
    net::thread_pool workers;  // destroyed (joined) before the io_context
};

namespace {

// One client connection. Every member is used on the connection's strand only, except
// `request_` while a worker runs the handler (nothing else touches it meanwhile).
class Connection : public std::enable_shared_from_this<Connection> {
public:
    Connection(HttpServer::Impl& server, tcp::socket socket, std::string client)
        : server_(server), socket_(std::move(socket)), timer_(socket_.get_executor()), buffer_(max_buffer),
          client_(std::move(client)) {}

    ~Connection() { server_.forget(this, client_); }

    void start() {
        error_code ignored;
        socket_.set_option(tcp::no_delay(true), ignored);  // a response is one write; answers must not wait
        // The first request's head is due within the header timeout from the connection.
        phase_ = Phase::head;
        arm(Clock::now() + server_.limits.header_timeout);
        read_head();
    }

    // At a graceful stop: a connection between requests closes now; one with a request under
    // way finishes it (its response closes the connection).
    void on_stop() {
        if ((phase_ == Phase::idle || phase_ == Phase::head) && buffer_.size() == 0) close();
    }

    [[nodiscard]] tcp::socket::executor_type executor() { return socket_.get_executor(); }

private:
    enum class Phase { idle, head, body, handler, write, closing, closed };

    // ---- deadlines ----------------------------------------------------------------------------

    void arm(Clock::time_point deadline) {
        timed_out_ = false;
        timer_.expires_at(deadline);
        timer_.async_wait([self = shared_from_this()](const error_code& ec) {
            if (!ec) self->on_deadline();
        });
    }

    void disarm() { timer_.cancel(); }

    void on_deadline() {
        // A wait that completed just before the timer was re-armed or cancelled is stale.
        if (timer_.expiry() > Clock::now() || phase_ == Phase::closed || phase_ == Phase::handler) return;
        timed_out_ = true;
        error_code ignored;
        socket_.cancel(ignored);  // the pending operation completes with operation_aborted
    }

    // ---- the request head ---------------------------------------------------------------------

    // Between requests: wait for the next one without holding a buffer (an idle connection costs
    // a socket and this object only).
    void wait_request() {
        if (server_.stopping) return close();
        if (buffer_.size() > 0) {  // pipelined: the next request is already here
            phase_ = Phase::head;
            arm(Clock::now() + server_.limits.header_timeout);
            return scan_head();
        }
        buffer_.shrink_to_fit();
        phase_ = Phase::idle;
        arm(Clock::now() + server_.limits.idle_timeout);
        socket_.async_wait(tcp::socket::wait_read, [self = shared_from_this()](const error_code& ec) {
            if (ec || self->server_.stopping) return self->close();
            // The header deadline runs from the first byte of the request.
            self->phase_ = Phase::head;
            self->arm(Clock::now() + self->server_.limits.header_timeout);
            self->read_head();
        });
    }

    void read_head() {
        std::size_t room = std::min(read_chunk, buffer_.max_size() - buffer_.size());
        if (room == 0) return fail(Problem::bad_request, "the request head could not be parsed");  // unreachable: limits come first
        socket_.async_read_some(buffer_.prepare(room), [self = shared_from_this()](const error_code& ec, std::size_t n) {
            self->buffer_.commit(n);
            if (ec) {
                if (self->timed_out_ && self->buffer_.size() > 0)
                    return self->fail(Problem::request_timeout, "the request head did not arrive in time");
                return self->close();  // a timeout before any byte, the client gone, or a stop
            }
            self->scan_head();
        });
    }

    // Looks for the end of the head in what has arrived, counting lines and bytes as it goes so
    // that a head over a limit is refused as soon as that is certain.
    void scan_head() {
        auto bytes = static_cast<const char*>(buffer_.data().data());
        std::size_t size = buffer_.size();
        for (; scanned_ < size; ++scanned_) {
            if (bytes[scanned_] != '\n') continue;
            std::size_t length = scanned_ - line_start_;
            bool empty = length == 0 || (length == 1 && bytes[line_start_] == '\r');
            if (empty && lines_ == 0) {  // empty lines before a request line are ignored (RFC 9112 2.2)
                buffer_.consume(scanned_ + 1);
                bytes = static_cast<const char*>(buffer_.data().data());
                size = buffer_.size();
                scanned_ = line_start_ = 0;
                if (size == 0) break;
                --scanned_;  // wraps; the loop's ++ brings it to 0
                continue;
            }
            if (empty) return on_head(scanned_ + 1);
            if (lines_ == 0) {
                if (length > max_request_line)
                    return fail(Problem::uri_too_long, "the request target is longer than 8 KiB");
                fields_start_ = scanned_ + 1;
            } else if (lines_ > max_header_lines) {
                return fail(Problem::header_fields_too_large, "the request has more than 100 header lines");
            }
            ++lines_;
            line_start_ = scanned_ + 1;
        }
        if (lines_ == 0 && size - line_start_ > max_request_line)
            return fail(Problem::uri_too_long, "the request target is longer than 8 KiB");
        if (lines_ > 0 && size - fields_start_ > max_header_bytes)
            return fail(Problem::header_fields_too_large, "the request's header fields are larger than 16 KiB");
        read_head();
    }

    // The head is the first `head` bytes of the buffer, its empty line included.
    void on_head(std::size_t head) {
        if (head - fields_start_ > max_header_bytes + 2)
            return fail(Problem::header_fields_too_large, "the request's header fields are larger than 16 KiB");
        scanned_ = line_start_ = fields_start_ = lines_ = 0;

        parser_.emplace();
        parser_->header_limit(static_cast<std::uint32_t>(head + 1));
        // Checked below, once the fields (Origin...) are known. Not boost::none: Beast 1.74 compares
        // the length with the optional, and any length is greater than none.
        parser_->body_limit(std::numeric_limits<std::uint64_t>::max());
        parser_->eager(false);
        error_code ec;
        std::size_t used = parser_->put(net::buffer(buffer_.data().data(), head), ec);
        if (ec == http::error::bad_version && well_formed_version(buffer_, head)) {
            buffer_.consume(head);
            return fail(Problem::http_version_not_supported, "only HTTP/1.0 and HTTP/1.1 are served");
        }
        if (ec || !parser_->is_header_done()) {
            buffer_.consume(head);
            return fail(Problem::bad_request, "the request could not be parsed as HTTP/1.1 (" + ec.message() + ")");
        }
        buffer_.consume(used);

        const auto& message = parser_->get();
        request_.method = std::string(message.method_string());
        request_.target = std::string(message.target());
        parse_target(request_.target, request_.path, request_.params);
        for (const auto& field : message)
            request_.headers.emplace_back(std::string(field.name_string()), std::string(field.value()));
        request_.remote_addr = client_;
        request_.version = message.version() == 10 ? 10 : 11;

        if (request_.target.size() > max_target_bytes)
            return fail(Problem::uri_too_long, "the request target is longer than 8 KiB");
        // A Transfer-Encoding other than a final `chunked` leaves the body's length unknown: the
        // rest of the connection cannot be read safely (RFC 9112 6.3).
        if (request_.has_header("Transfer-Encoding") && !parser_->chunked())
            return fail(Problem::bad_request, "Transfer-Encoding must end with chunked");
        if (auto length = parser_->content_length(); length && *length > max_body_bytes)
            return fail(Problem::payload_too_large, "the request body is larger than 1 MiB");
        if (parser_->is_done()) return dispatch();

        parser_->body_limit(max_body_bytes);
        if (request_.version == 11 && iequals(request_.get_header_value("Expect"), "100-continue")) {
            static constexpr std::string_view go_on = "HTTP/1.1 100 Continue\r\n\r\n";
            phase_ = Phase::write;
            arm(Clock::now() + server_.limits.header_timeout);
            return net::async_write(socket_, net::buffer(go_on.data(), go_on.size()),
                                    [self = shared_from_this()](const error_code& ec, std::size_t) {
                                        if (ec) return self->close();
                                        self->read_body();
                                    });
        }
        read_body();
    }

    // ---- the body -----------------------------------------------------------------------------

    void read_body() {
        phase_ = Phase::body;
        std::size_t expected = parser_->content_length().value_or(max_body_bytes);
        arm(Clock::now() + transfer_time(expected, server_.limits.header_timeout));
        http::async_read(socket_, buffer_, *parser_, [self = shared_from_this()](const error_code& ec, std::size_t) {
            if (!ec) return self->dispatch();
            if (self->timed_out_) return self->fail(Problem::request_timeout, "the request body did not arrive in time");
            if (ec == http::error::body_limit)
                return self->fail(Problem::payload_too_large, "the request body is larger than 1 MiB");
            bool gone = ec == http::error::end_of_stream || ec == http::error::partial_message ||
                        ec.category() != http::make_error_code(http::error::bad_chunk).category();
            if (gone) return self->close();  // the client went away, or the network failed
            self->fail(Problem::bad_request, "the request body could not be read (bad chunked encoding)");
        });
    }

    // ---- the handler and the response ---------------------------------------------------------

    void dispatch() {
        auto& message = parser_->get();
        request_.body = std::move(message.body());
        keep_alive_ = message.keep_alive();
        parser_.reset();
        phase_ = Phase::handler;
        disarm();  // the handler's time is the core's business (its pool has its own timeouts)
        received_ = Clock::now();
        net::post(server_.workers, [self = shared_from_this()] {
            Response response;
            try {
                response = self->server_.router.handle(self->request_);
            } catch (const std::exception&) {  // only allocation can fail here: the router catches the rest
                response = Response{};
                response.status = 500;
                response.close = true;
            }
            net::post(self->socket_.get_executor(),
                      [self, response = std::move(response)]() mutable { self->respond(std::move(response)); });
        });
    }

    // A failure found by the transport: answered, then the connection is closed.
    void fail(Problem problem, const std::string& detail) {
        parser_.reset();
        request_.remote_addr = client_;
        if (received_ == Clock::time_point{}) received_ = Clock::now();
        respond(server_.router.transport_error(request_, problem, detail));
    }

    void respond(Response response) {
        if (phase_ == Phase::closed) return;
        response_ = std::move(response);
        bool keep = keep_alive_ && !response_.close && !server_.stopping;
        keep_alive_ = keep;
        head_ = serialize_head(response_, request_.version, keep);
        bool body = has_body(response_.status, request_.method);
        sent_body_ = body ? response_.body.size() : 0;
        phase_ = Phase::write;
        arm(Clock::now() + transfer_time(head_.size() + sent_body_, server_.limits.header_timeout));
        std::array<net::const_buffer, 2> buffers{net::buffer(head_), net::buffer(response_.body.data(), sent_body_)};
        net::async_write(socket_, buffers, [self = shared_from_this()](const error_code& ec, std::size_t) {
            self->on_written(ec);
        });
    }

    void on_written(const error_code& ec) {
        Router::log_access(request_, response_, Clock::now() - received_, ec ? 0 : sent_body_);
        request_ = Request{};
        response_ = Response{};
        head_ = std::string();
        received_ = {};
        if (ec) return close();
        if (!keep_alive_) return close_gracefully();
        wait_request();
    }

    // ---- closing ------------------------------------------------------------------------------

    // Sends FIN, then reads (and drops) what the client still sends for a moment: closing a socket
    // with unread input resets the connection, and the client could lose our last response.
    void close_gracefully() {
        phase_ = Phase::closing;
        error_code ignored;
        socket_.shutdown(tcp::socket::shutdown_send, ignored);
        arm(Clock::now() + linger_time);
        drain();
    }

    void drain() {
        buffer_.consume(buffer_.size());
        socket_.async_read_some(buffer_.prepare(read_chunk), [self = shared_from_this()](const error_code& ec, std::size_t) {
            if (ec) return self->close();
            self->drain();
        });
    }

    void close() {
        if (phase_ == Phase::closed) return;
        phase_ = Phase::closed;
        disarm();
        error_code ignored;
        socket_.close(ignored);
        parser_.reset();
    }

    HttpServer::Impl& server_;
    tcp::socket socket_;
    net::steady_timer timer_;
    beast::flat_buffer buffer_;
    std::string client_;
    Phase phase_ = Phase::head;
    bool timed_out_ = false;
    bool keep_alive_ = false;

    // Scanning the head: the next byte to look at, where the current line and the fields start,
    // and the lines seen (the request line included).
    std::size_t scanned_ = 0, line_start_ = 0, fields_start_ = 0, lines_ = 0;

    std::optional<http::request_parser<http::string_body>> parser_;  // only while a request is read
    Request request_;
    Response response_;
    std::string head_;
    std::size_t sent_body_ = 0;
    Clock::time_point received_{};
};

}  // namespace

// ---- the server ----------------------------------------------------------------------------------

void HttpServer::Impl::accept() {
    acceptor.async_accept(net::make_strand(ioc), [this](const error_code& ec, tcp::socket socket) {
        on_accept(ec, std::move(socket));
    });
}

void HttpServer::Impl::on_accept(const error_code& ec, tcp::socket socket) {
    if (stopping || ec == net::error::operation_aborted) return;
    if (ec) {
        // Out of file descriptors and the like: wait a little instead of spinning on the error.
        warn_limited(last_accept_warning, "cannot accept a connection: " + ec.message());
        retry_timer.expires_after(std::chrono::milliseconds(50));
        retry_timer.async_wait([this](const error_code& wait) {
            if (!wait && !stopping) accept();
        });
        return;
    }
    error_code peer_error;
    auto peer = socket.remote_endpoint(peer_error);
    if (!peer_error) {
        std::string client = client_address(peer);
        bool refused = false;
        std::shared_ptr<Connection> connection;
        {
            std::lock_guard lock(mutex);
            auto& mine = per_client[client];
            if (connections.size() >= limits.max_connections || mine >= limits.max_connections_per_client) {
                refused = true;
                if (mine == 0) per_client.erase(client);
            } else {
                ++mine;
                connection = std::make_shared<Connection>(*this, std::move(socket), client);
                connections.emplace(connection.get(), connection);
            }
        }
        if (refused) {
            // Accepted and closed at once: the client learns now, instead of waiting in the backlog.
            error_code ignored;
            socket.close(ignored);
            warn_limited(last_refusal_warning,
                         fmt::format("connection limit reached (CRM_MAX_CONNECTIONS={}, "
                                     "CRM_MAX_CONNECTIONS_PER_CLIENT={}): refusing connections, e.g. from {}",
                                     limits.max_connections, limits.max_connections_per_client, client));
        } else {
            net::dispatch(connection->executor(), [connection] { connection->start(); });
        }
    }
    accept();
}

void HttpServer::Impl::forget(Connection* connection, const std::string& client) {
    std::lock_guard lock(mutex);
    connections.erase(connection);
    if (auto it = per_client.find(client); it != per_client.end() && --it->second == 0) per_client.erase(it);
}

void HttpServer::Impl::begin_stop() {
    if (stopping.exchange(true)) return;
    error_code ignored;
    acceptor.close(ignored);
    retry_timer.cancel();
    std::vector<std::shared_ptr<Connection>> open;
    {
        std::lock_guard lock(mutex);
        for (auto& [raw, weak] : connections)
            if (auto c = weak.lock()) open.push_back(std::move(c));
    }
    for (auto& c : open) net::post(c->executor(), [c] { c->on_stop(); });
    watch_stop(Clock::now() + limits.shutdown_timeout);
}

void HttpServer::Impl::watch_stop(Clock::time_point deadline) {
    std::size_t open = 0;
    {
        std::lock_guard lock(mutex);
        open = connections.size();
    }
    if (open == 0) return ioc.stop();
    if (Clock::now() >= deadline) {
        log("warn", fmt::format("{} connection(s) still busy after the shutdown timeout: closing them", open));
        return ioc.stop();
    }
    stop_timer.expires_after(std::chrono::milliseconds(20));
    stop_timer.async_wait([this, deadline](const error_code&) { watch_stop(deadline); });
}

HttpServer::HttpServer(const Router& router, const Limits& limits, unsigned workers)
    : impl_(std::make_unique<Impl>(router, limits, workers)) {}

// The pool's destructor joins its threads; the io_context (declared before it) outlives them.
HttpServer::~HttpServer() = default;

std::uint16_t HttpServer::listen(const std::string& host, std::uint16_t port) {
    error_code ec;
    auto address = net::ip::make_address(host, ec);
    tcp::endpoint endpoint;
    if (!ec) {
        endpoint = tcp::endpoint(address, port);
    } else {
        tcp::resolver resolver(impl_->ioc);
        auto results = resolver.resolve(host, std::to_string(port), ec);
        if (ec || results.empty()) throw ListenError("cannot resolve the host name");
        endpoint = *results.begin();
    }
    auto& acceptor = impl_->acceptor;
    acceptor.open(endpoint.protocol(), ec);
    if (ec) throw ListenError(lower_first(ec.message()));
    // SO_REUSEADDR lets a restart bind while old connections sit in TIME_WAIT. Never
    // SO_REUSEPORT: a second server on the port must fail, not share the requests.
    acceptor.set_option(tcp::acceptor::reuse_address(true), ec);
    acceptor.bind(endpoint, ec);
    if (!ec) acceptor.listen(SOMAXCONN, ec);
    if (ec) {
        std::string why = lower_first(ec.message());
        error_code ignored;
        acceptor.close(ignored);
        throw ListenError(why);
    }
    return acceptor.local_endpoint().port();
}

void HttpServer::run() {
    impl_->accept();
    auto serve = [impl = impl_.get()] {
        while (true) {
            try {
                impl->ioc.run();
                return;
            } catch (const std::exception& e) {  // a handler ran out of memory or the like: keep serving
                log("error", std::string("I/O thread: ") + e.what());
            }
        }
    };
    std::vector<std::thread> threads;
    for (unsigned i = 1; i < impl_->limits.io_threads; ++i) threads.emplace_back(serve);
    serve();
    for (auto& t : threads) t.join();
    impl_->workers.join();
}

void HttpServer::stop() {
    net::post(impl_->strand, [impl = impl_.get()] { impl->begin_stop(); });
}

}  // namespace crm_server
