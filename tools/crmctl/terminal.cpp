#include "terminal.hpp"

#include "commands.hpp"

#include <termios.h>
#include <unistd.h>

#include <algorithm>
#include <csignal>
#include <cstdio>
#include <iostream>

namespace crmctl {

namespace {

// The terminal's settings while echo is off, restored even when a signal ends the program.
termios saved_terminal{};
volatile std::sig_atomic_t terminal_changed = 0;

extern "C" void restore_terminal_and_die(int signal) {
    if (terminal_changed) ::tcsetattr(STDIN_FILENO, TCSAFLUSH, &saved_terminal);
    std::signal(signal, SIG_DFL);
    std::raise(signal);
}

class EchoOff {
public:
    EchoOff() {
        if (::tcgetattr(STDIN_FILENO, &saved_terminal) != 0) return;
        for (int s : {SIGINT, SIGTERM, SIGHUP, SIGQUIT}) previous_[index(s)] = std::signal(s, restore_terminal_and_die);
        termios quiet = saved_terminal;
        quiet.c_lflag &= ~static_cast<tcflag_t>(ECHO);
        terminal_changed = ::tcsetattr(STDIN_FILENO, TCSAFLUSH, &quiet) == 0;
        active_ = true;
    }
    ~EchoOff() {
        if (!active_) return;
        if (terminal_changed) ::tcsetattr(STDIN_FILENO, TCSAFLUSH, &saved_terminal);
        terminal_changed = 0;
        for (int s : {SIGINT, SIGTERM, SIGHUP, SIGQUIT}) std::signal(s, previous_[index(s)]);
    }
    EchoOff(const EchoOff&) = delete;
    EchoOff& operator=(const EchoOff&) = delete;

private:
    static int index(int s) {
        switch (s) {
            case SIGINT: return 0;
            case SIGTERM: return 1;
            case SIGHUP: return 2;
            default: return 3;
        }
    }
    bool active_ = false;
    void (*previous_[4])(int) = {};
};

bool read_line(std::string& line) {
    if (!std::getline(std::cin, line)) return false;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    return true;
}

std::string ask(const char* prompt) {
    std::string line;
    bool got;
    {
        EchoOff quiet;  // before the prompt: nothing typed after it is echoed
        std::fputs(prompt, stderr);
        std::fflush(stderr);
        got = read_line(line);
    }
    std::fputs("\n", stderr);  // the user's Enter was not echoed
    if (!got) throw UsageError("no password given");
    return line;
}

}  // namespace

std::string read_password(bool from_stdin) {
    bool terminal = ::isatty(STDIN_FILENO) != 0;
    if (!terminal || from_stdin) {
        std::string line;
        bool got;
        if (terminal) {
            EchoOff quiet;
            got = read_line(line);
        } else {
            got = read_line(line);
        }
        if (!got) throw UsageError("no password on standard input (crmctl reads its first line)");
        return line;
    }
    std::string first = ask("Password: ");
    if (ask("Repeat password: ") != first) throw UsageError("the passwords do not match");
    return first;
}

Progress::Progress(std::uint64_t total_bytes)
    : total_(total_bytes),
      shown_(::isatty(STDERR_FILENO) != 0),
      start_(std::chrono::steady_clock::now()),
      last_(start_) {}  // the first frame after 100 ms, once the rate means something

void Progress::update(std::uint64_t bytes, std::uint64_t rows) {
    if (!shown_) return;
    auto now = std::chrono::steady_clock::now();
    if (now - last_ < std::chrono::milliseconds(100)) return;
    last_ = now;
    draw(bytes, rows, false);
}

void Progress::finish(std::uint64_t bytes, std::uint64_t rows) {
    if (!shown_) return;
    draw(bytes, rows, true);
    std::fputs("\n", stderr);
}

namespace {
std::string clock_text(double seconds) {
    auto s = static_cast<long long>(seconds + 0.5);
    char text[32];
    std::snprintf(text, sizeof text, "%lld:%02lld:%02lld", s / 3600, s / 60 % 60, s % 60);
    return text;
}
}  // namespace

void Progress::draw(std::uint64_t bytes, std::uint64_t rows, bool final) {
    double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
    double rate = seconds > 0 ? static_cast<double>(rows) / seconds : 0.0;
    char line[160];
    if (total_ == 0) {
        std::snprintf(line, sizeof line, "%llu rows  %.0f rows/s%s%s", static_cast<unsigned long long>(rows), rate,
                      final ? "  in " : "", final ? clock_text(seconds).c_str() : "");
    } else {
        double fraction = std::min(1.0, static_cast<double>(bytes) / static_cast<double>(total_));
        std::string eta = final ? "in " + clock_text(seconds)
                          : fraction > 0 ? "ETA " + clock_text(seconds / fraction - seconds)
                                         : "ETA --:--:--";
        constexpr int width = 30;
        auto filled = static_cast<int>(fraction * width);
        std::string bar(static_cast<std::size_t>(filled), '#');
        bar.resize(width, '.');
        std::snprintf(line, sizeof line, "[%s] %3d%%  %llu rows  %.0f rows/s  %s", bar.c_str(),
                      static_cast<int>(fraction * 100), static_cast<unsigned long long>(rows), rate, eta.c_str());
    }
    std::fprintf(stderr, "\r%s\x1b[K", line);  // \x1b[K: erase what a longer previous line left
    std::fflush(stderr);
}

}  // namespace crmctl
