// Placeholder until the C ABI lands: keeps the shared library non-empty.
#include <crm/version.hpp>
extern "C" __attribute__((visibility("default"))) const char* crm_version(void) { return CRM_VERSION_STRING; }
