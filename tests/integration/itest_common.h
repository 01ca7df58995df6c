/*
 * Helpers shared by the integration test programs.
 */
#ifndef MYHA_ITEST_COMMON__H
#define MYHA_ITEST_COMMON__H

double itest_now(void);
char *itest_cnf_password(const char *path);

#endif // MYHA_ITEST_COMMON__H
