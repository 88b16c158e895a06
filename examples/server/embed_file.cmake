# cmake -DINPUT=FILE -DOUTPUT=FILE.cpp -DFUNCTION=NAME -P embed_file.cmake
# Writes a C++ source defining `std::string_view crm_server::NAME() noexcept`, the bytes of INPUT.
# crm-server embeds docs/openapi.yaml this way: the document it serves is the one it was built
# with, and no file has to be found at run time.
file(READ "${INPUT}" hex HEX)
string(LENGTH "${hex}" length)
string(REGEX REPLACE "([0-9a-f][0-9a-f])" "0x\\1," bytes "${hex}")
# 24 bytes a line keeps the generated file readable for a compiler error message.
string(REGEX REPLACE "((0x[0-9a-f][0-9a-f],){24})" "\\1\n    " bytes "${bytes}")
file(WRITE "${OUTPUT}.tmp" "// Generated from ${INPUT} by examples/server/embed_file.cmake: do not edit.
#include <string_view>

namespace crm_server {
namespace {
constexpr unsigned char bytes[] = {
    ${bytes}
};
}  // namespace

std::string_view ${FUNCTION}() noexcept { return {reinterpret_cast<const char*>(bytes), sizeof bytes}; }

}  // namespace crm_server
")
file(COPY_FILE "${OUTPUT}.tmp" "${OUTPUT}" ONLY_IF_DIFFERENT)
file(REMOVE "${OUTPUT}.tmp")
