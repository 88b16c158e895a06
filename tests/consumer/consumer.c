/* Uses the installed C ABI, built with flags from pkg-config: opens and migrates a database. */
#include <crm.h>

#include <stdio.h>
#include <string.h>

int main(void) {
    crm_db *db = NULL;
    crm_db_options opts = CRM_DB_OPTIONS_INIT;
    opts.jwt_secret = "a consumer secret of at least 32 bytes";
    if (crm_db_open(&db, "sqlite::memory:", &opts) != CRM_OK || crm_db_migrate(db) != CRM_OK) {
        fprintf(stderr, "failed: %s\n", crm_error_message(crm_error_last()));
        crm_db_free(db);
        return 1;
    }
    printf("libcrm %s (header %s)\n", crm_version(), CRM_VERSION_STRING);
    crm_db_free(db);
    return crm_version_number() == CRM_VERSION_NUMBER && strcmp(crm_version(), CRM_VERSION_STRING) == 0 ? 0 : 1;
}
