/* crm.h stands alone as strict C99 (-std=c99 -Wall -Wextra -pedantic -Werror), with nothing but
 * itself on the include path, and this program checks that header and library agree. */
#include <crm.h>

#include <stdio.h>
#include <string.h>

int crm_header_test_cxx(void); /* header_cxx.cpp: the same header from C++ */

int main(void) {
    crm_db_options options = CRM_DB_OPTIONS_INIT;
    const crm_error *error = crm_error_last();
    int failures = 0;
    if (options.version != CRM_DB_OPTIONS_VERSION || options.jwt_secret != NULL) {
        fprintf(stderr, "CRM_DB_OPTIONS_INIT is wrong\n");
        ++failures;
    }
    if (crm_version_number() != CRM_VERSION_NUMBER || strcmp(crm_version(), CRM_VERSION_STRING) != 0) {
        fprintf(stderr, "header %s (%d) but library %s (%d)\n", CRM_VERSION_STRING, CRM_VERSION_NUMBER, crm_version(),
                crm_version_number());
        ++failures;
    }
    if (error == NULL || crm_error_code(error) != CRM_OK) {
        fprintf(stderr, "crm_error_last() before any call should be CRM_OK\n");
        ++failures;
    }
    failures += crm_header_test_cxx();
    printf("%s\n", failures ? "FAILED" : "crm.h: C99 and C++ OK, header and library agree");
    return failures ? 1 : 0;
}
