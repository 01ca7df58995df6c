/*
 * Logging for myha programs through libqb, following the resource-agents
 * conventions (HA_LOGFACILITY, HA_LOGFILE, HA_DEBUGLOG, HA_debug).
 */
#ifndef MYHA_LOG__H
#define MYHA_LOG__H

#include <stdbool.h>

#include <qb/qblog.h>

void myha_log_init(const char *name);
void myha_log_fini(void);
bool myha_is_log_to_stderr(void);

#endif // MYHA_LOG__H
