/*
 * Test helper: capture what a piece of code writes to stderr.
 */
#ifndef MYHA_TEST_CAPTURE__H
#define MYHA_TEST_CAPTURE__H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

//! Redirect stderr to a temporary file; returns the saved stderr fd
static inline int
capture_stderr_begin(FILE **tmp)
{
    int saved = dup(STDERR_FILENO);

    fflush(stderr);
    *tmp = tmpfile();
    dup2(fileno(*tmp), STDERR_FILENO);
    return saved;
}

//! Restore stderr and return what was written (caller frees)
static inline char *
capture_stderr_end(FILE *tmp, int saved)
{
    long len = 0;
    char *text = NULL;

    fflush(stderr);
    dup2(saved, STDERR_FILENO);
    close(saved);
    len = ftell(tmp);
    text = calloc(1, (size_t) len + 1);
    rewind(tmp);
    if ((text != NULL) && (len > 0)) {
        size_t got = fread(text, 1, (size_t) len, tmp);

        text[got] = '\0';
    }
    fclose(tmp);
    return text;
}

#endif // MYHA_TEST_CAPTURE__H
