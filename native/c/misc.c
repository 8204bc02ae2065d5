/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Small C functions the native image calls by name (xennet's own stand-ins for the image
 * builder's helper library; see native/README.md): fixed-argument wrappers of variadic libc
 * functions (compiled Java code cannot call a variadic function), the thread id, the time zone,
 * the environment.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

extern char **environ;

char **getEnviron(void) {
    return environ;
}

int openSII(const char *path, int flags, int mode) {
    return open(path, flags, mode);
}

int openatISII(int dirfd, const char *path, int flags, int mode) {
    return openat(dirfd, path, flags, mode);
}

void *mremapP(void *old, size_t old_size, size_t new_size, int flags, void *new_address) {
    return mremap(old, old_size, new_size, flags, new_address);
}

int fprintfSD(FILE *f, const char *format, const char *s, int d) {
    return fprintf(f, format, s, d);
}

int getThreadId(void) {
    return (int) syscall(SYS_gettid);
}

/* User CPU time of a thread of this process in nanoseconds, from /proc; -1 if unknown. */
long getThreadUserTimeSlow(int tid) {
    char path[64], buf[1024];
    snprintf(path, sizeof(path), "/proc/self/task/%d/stat", tid);
    FILE *f = fopen(path, "r");
    if (f == NULL) {
        return -1;
    }
    size_t n = fread(buf, 1, sizeof(buf) - 1, f);
    fclose(f);
    buf[n] = '\0';
    /* The command name (field 2) may hold spaces and parentheses: count from the last ')'. */
    char *p = strrchr(buf, ')');
    if (p == NULL) {
        return -1;
    }
    unsigned long utime = 0;
    /* after ") ": field 3 (state) ... field 14 (utime) is the 12th token */
    if (sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %lu", &utime) != 1) {
        return -1;
    }
    long hz = sysconf(_SC_CLK_TCK);
    return hz > 0 ? (long) (utime * (1000000000UL / (unsigned long) hz)) : -1;
}

static char *dup_trimmed(const char *s) {
    size_t n = strcspn(s, "\n");
    char *r = malloc(n + 1);
    if (r != NULL) {
        memcpy(r, s, n);
        r[n] = '\0';
    }
    return r;
}

/*
 * The system's time zone ID as the JVM finds it on Linux: TZ (a zoneinfo path is reduced to the
 * zone's name), else /etc/timezone, else the zone /etc/localtime links to. NULL (the image then
 * uses GMT, as the JVM does when it finds nothing) otherwise. The result is malloc'ed: the caller
 * frees it. The arguments are Windows' mapping table, unused here.
 */
char *SVM_FindJavaTZmd(const char *mappings, int length) {
    static const char zoneinfo[] = "/usr/share/zoneinfo/";
    (void) mappings;
    (void) length;
    const char *tz = getenv("TZ");
    if (tz != NULL && *tz != '\0') {
        if (*tz == ':') {
            tz++;
        }
        if (strncmp(tz, zoneinfo, sizeof(zoneinfo) - 1) == 0) {
            tz += sizeof(zoneinfo) - 1;
        }
        return dup_trimmed(tz);
    }
    FILE *f = fopen("/etc/timezone", "r");
    if (f != NULL) {
        char line[256];
        char *got = fgets(line, sizeof(line), f);
        fclose(f);
        if (got != NULL && line[0] != '\0' && line[0] != '\n') {
            return dup_trimmed(line);
        }
    }
    char target[4096];
    ssize_t n = readlink("/etc/localtime", target, sizeof(target) - 1);
    if (n > 0) {
        target[n] = '\0';
        char *z = strstr(target, "zoneinfo/");
        if (z != NULL) {
            return dup_trimmed(z + strlen("zoneinfo/"));
        }
    }
    return NULL;
}
