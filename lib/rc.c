/*
 * Descriptions of libmyha result codes, for logs and exit reasons.
 */
#include <config.h>

#include <string.h>

#include <myha/rc.h>

static const struct {
    int rc;
    const char *desc;
} rc_descs[] = {
    { myha_rc_ok, "OK" },
    { myha_rc_error, "Error" },
    { myha_rc_invalid, "Invalid value" },
    { myha_rc_local_config, "Configuration not valid on this node" },
    { myha_rc_not_installed, "Not installed" },
    { myha_rc_parse, "Parse error" },
    { myha_rc_db_connect, "Cannot connect to the database server" },
    { myha_rc_db_auth, "Access denied by the database server" },
    { myha_rc_db_query, "Statement failed" },
    { myha_rc_db_unsupported, "Unsupported database server" },
    { myha_rc_not_running, "Not running" },
    { myha_rc_unimplemented, "Not implemented" },
    { myha_rc_child_failed, "Child process failed" },
};

/*!
 * \brief Describe a libmyha result code
 *
 * \param[in] rc  0, a positive errno value, or a value of enum myha_rc_e
 *
 * \return Static string (never NULL)
 */
const char *
myha_rc_str(int rc)
{
    if (rc > 0) {
        return strerror(rc);
    }
    for (size_t i = 0; i < sizeof(rc_descs) / sizeof(rc_descs[0]); i++) {
        if (rc_descs[i].rc == rc) {
            return rc_descs[i].desc;
        }
    }
    return "Unknown result code";
}
