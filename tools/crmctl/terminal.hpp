// What crmctl does with a terminal: ask for passwords without echo, show an import's progress.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>

namespace crmctl {

/// A password that never passes through the command line. From the terminal when standard input
/// is one (asked twice, not echoed), else the first line of standard input (a trailing CR or LF
/// removed). `from_stdin` (--password-stdin) reads the first line even from a terminal, once and
/// without echo. Throws UsageError when none is given or the two entries differ.
[[nodiscard]] std::string read_password(bool from_stdin);

/// A progress bar on stderr, drawn only when stderr is a terminal: share of the input read (by
/// bytes), rows, rows per second and the estimated time left.
class Progress {
public:
    /// `total_bytes` 0: unknown size (no bar, no ETA).
    explicit Progress(std::uint64_t total_bytes);
    /// Redraws at most ten times a second.
    void update(std::uint64_t bytes, std::uint64_t rows);
    /// Draws the final state (with the time taken) and ends the line.
    void finish(std::uint64_t bytes, std::uint64_t rows);

private:
    void draw(std::uint64_t bytes, std::uint64_t rows, bool final);
    std::uint64_t total_;
    bool shown_;
    std::chrono::steady_clock::time_point start_, last_;
};

}  // namespace crmctl
