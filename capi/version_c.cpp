// crm_version(), crm_version_number(), and the check that crm.h states the project's version.
#include <crm/version.hpp>

#include <string_view>

// The generated header's values, taken before crm.h defines the same macros by hand.
namespace {
constexpr int project_major = CRM_VERSION_MAJOR;
constexpr int project_minor = CRM_VERSION_MINOR;
constexpr int project_patch = CRM_VERSION_PATCH;
constexpr std::string_view project_string = CRM_VERSION_STRING;
}  // namespace
#undef CRM_VERSION_MAJOR
#undef CRM_VERSION_MINOR
#undef CRM_VERSION_PATCH
#undef CRM_VERSION_STRING

#include "capi_internal.hpp"

static_assert(CRM_VERSION_MAJOR == project_major && CRM_VERSION_MINOR == project_minor &&
                  CRM_VERSION_PATCH == project_patch && std::string_view(CRM_VERSION_STRING) == project_string,
              "capi/crm.h: CRM_VERSION_* must equal project(VERSION) in CMakeLists.txt");

extern "C" {

const char* crm_version(void) { return crm::version().data(); }  // a literal: NUL-terminated

int crm_version_number(void) { return CRM_VERSION_NUMBER; }

}  // extern "C"
