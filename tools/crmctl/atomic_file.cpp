#include "atomic_file.hpp"

#include "commands.hpp"

#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>

namespace crmctl {

AtomicFile::AtomicFile(std::string path) : path_(std::move(path)) {
    std::filesystem::path target(path_);
    if (std::filesystem::is_directory(target)) throw OutputError("cannot write " + path_ + ": it is a directory");
    std::string dir = target.has_parent_path() ? target.parent_path().string() : ".";
    std::string pattern = dir + "/." + target.filename().string() + ".XXXXXX";
    int fd = ::mkstemp(pattern.data());  // 0600
    if (fd < 0) throw OutputError("cannot write " + path_ + ": " + std::strerror(errno));
    temp_ = pattern;
    struct stat existing {};
    if (::stat(path_.c_str(), &existing) == 0) ::fchmod(fd, existing.st_mode & 07777);
    ::close(fd);
    out_.open(temp_, std::ios::binary | std::ios::trunc);
    if (!out_) throw OutputError("cannot write " + path_ + ": " + std::strerror(errno));
}

AtomicFile::~AtomicFile() {
    if (!committed_) std::remove(temp_.c_str());
}

void AtomicFile::commit() {
    out_.close();
    if (!out_) throw OutputError("writing " + path_ + " failed: " + std::strerror(errno));
    if (std::rename(temp_.c_str(), path_.c_str()) != 0)
        throw OutputError("cannot rename the output to " + path_ + ": " + std::strerror(errno));
    committed_ = true;
}

}  // namespace crmctl
