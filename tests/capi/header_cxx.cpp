// crm.h from C++ (-Wall -Wextra -pedantic -Werror): extern "C" linkage and the macros work.
#include <crm.h>

#include <cstring>

extern "C" int crm_header_test_cxx(void) {
    crm_db_options options = CRM_DB_OPTIONS_INIT;
    crm_db_options filled;
    if (crm_db_options_init(&filled, CRM_DB_OPTIONS_VERSION) != CRM_OK) return 1;
    if (filled.version != options.version || filled.lease_timeout_ms != options.lease_timeout_ms) return 1;
    return std::strcmp(crm_role_name(CRM_ROLE_ADMIN), "ADMIN") == 0 ? 0 : 1;
}
