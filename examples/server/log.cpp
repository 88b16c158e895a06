#include "log.hpp"

#include <crm/types.hpp>
#include <fmt/format.h>

#include <cerrno>
#include <chrono>
#include <condition_variable>
#include <cstdlib>
#include <mutex>
#include <string>
#include <thread>

#include <unistd.h>

namespace crm_server {

namespace {

// Log lines reach stderr through one writer thread. The thread that logs (an I/O thread, for the
// access log) only appends to a buffer: a slow stderr (a full pipe, a stalled log collector)
// cannot stall the transport, and under load many lines go out in one write. Bounded: past
// max_pending bytes lines are dropped and counted, and a line says how many once stderr drains.
class Writer {
public:
    static Writer& instance() {
        // Never destroyed: a line logged during static destruction still has a writer. The
        // buffer is written out at exit (flush, registered with atexit).
        static Writer* writer = [] {
            auto* w = new Writer;
            std::atexit([] { instance().flush(std::chrono::seconds(5)); });
            return w;
        }();
        return *writer;
    }

    void add(std::string_view line) {
        std::lock_guard lock(mutex_);
        if (pending_.size() + line.size() > max_pending) {
            ++dropped_;
            return;
        }
        bool was_empty = pending_.empty();
        pending_ += line;
        if (was_empty) wake_writer_.notify_one();
    }

    /// Returns once every line added so far is written (or could not be), or after `timeout`
    /// (a blocked stderr must not keep the process from exiting).
    void flush(std::chrono::milliseconds timeout) {
        std::unique_lock lock(mutex_);
        drained_.wait_for(lock, timeout, [&] { return pending_.empty() && !writing_; });
    }

private:
    static constexpr std::size_t max_pending = 8 << 20;

    Writer() { std::thread([this] { run(); }).detach(); }

    void run() {
        std::string batch;
        for (;;) {
            std::size_t dropped = 0;
            {
                std::unique_lock lock(mutex_);
                writing_ = false;
                drained_.notify_all();
                wake_writer_.wait(lock, [&] { return !pending_.empty(); });
                batch.swap(pending_);
                std::swap(dropped, dropped_);
                writing_ = true;
            }
            if (dropped > 0)
                batch += fmt::format("{} WARN {} log lines were dropped: stderr did not keep up\n",
                                     crm::format_timestamp(crm::now()), dropped);
            write_all(batch);
            batch.clear();
        }
    }

    static void write_all(std::string_view text) {
        while (!text.empty()) {
            ssize_t n = ::write(STDERR_FILENO, text.data(), text.size());
            if (n < 0 && errno == EINTR) continue;
            if (n <= 0) return;  // stderr is gone: nothing else to tell it
            text.remove_prefix(static_cast<std::size_t>(n));
        }
    }

    std::mutex mutex_;
    std::condition_variable wake_writer_, drained_;
    std::string pending_;
    std::size_t dropped_ = 0;
    bool writing_ = false;
};

}  // namespace

void log(std::string_view level, std::string_view message) {
    Writer::instance().add(fmt::format("{} {} {}\n", crm::format_timestamp(crm::now()), level, message));
}

void flush_log(std::chrono::milliseconds timeout) { Writer::instance().flush(timeout); }

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
