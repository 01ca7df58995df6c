/*
 * Helpers shared by the integration test programs.
 */
#include <config.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "itest_common.h"

/*!
 * \brief Monotonic time in seconds, for measuring and reporting durations
 *
 * \return Seconds since an arbitrary start
 */
double
itest_now(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double) ts.tv_sec + ((double) ts.tv_nsec / 1e9);
}

/*!
 * \brief The password= line of an option file written by harness.sh
 *
 * \param[in] path  Option file
 *
 * \return The password (caller frees), or NULL if there is none
 */
char *
itest_cnf_password(const char *path)
{
    FILE *fp = fopen(path, "re");
    char *line = NULL;
    char *password = NULL;
    size_t size = 0;

    if (fp == NULL) {
        return NULL;
    }
    while (getline(&line, &size, fp) >= 0) {
        if (strncmp(line, "password=", 9) == 0) {
            line[strcspn(line, "\n")] = '\0';
            free(password);
            password = strdup(line + 9);
        }
    }
    free(line);
    fclose(fp);
    return password;
}
