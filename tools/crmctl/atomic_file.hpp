// An output file that appears under its name only once complete: a failed or interrupted export
// or dump must not leave a truncated file that would pass for a whole one. A new file is readable
// by its owner only (it holds customer data, a dump also password hashes); a file it replaces
// keeps the mode its owner gave it. Failures are OutputError (exit code 3).
#pragma once

#include <fstream>
#include <string>

namespace crmctl {

class AtomicFile {
public:
    explicit AtomicFile(std::string path);
    ~AtomicFile();  // removes the temporary file unless committed
    AtomicFile(const AtomicFile&) = delete;
    AtomicFile& operator=(const AtomicFile&) = delete;

    [[nodiscard]] std::ostream& stream() { return out_; }
    /// Closes the file and renames it to its name.
    void commit();

private:
    std::string path_, temp_;
    std::ofstream out_;
    bool committed_ = false;
};

}  // namespace crmctl
