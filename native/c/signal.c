/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Java signal handlers (jdk.internal.misc.Signal, shutdown on SIGTERM/SIGINT) in the native
 * image: a C handler counts each signal and posts a semaphore; the image's dispatcher thread waits
 * on it (cSunMiscSignal_awaitSemaphore) and takes one pending signal per wake-up
 * (cSunMiscSignal_checkPendingSignal). Written for xennet from the functions' contracts as the
 * image uses them; see native/README.md.
 */
#include <errno.h>
#include <semaphore.h>
#include <signal.h>
#include <stdbool.h>

static volatile long pending[NSIG];
static sem_t semaphore;
static volatile int is_open;

int cSunMiscSignal_open(void) {
    if (!__sync_bool_compare_and_swap(&is_open, 0, 1)) {
        errno = EBUSY;
        return -1;
    }
    for (int i = 0; i < NSIG; i++) {
        pending[i] = 0;
    }
    if (sem_init(&semaphore, 0, 0) != 0) {
        is_open = 0;
        return -1;
    }
    return 0;
}

int cSunMiscSignal_close(void) {
    if (is_open) {
        sem_destroy(&semaphore);
        is_open = 0;
    }
    return 0;
}

int cSunMiscSignal_awaitSemaphore(void) {
    if (!is_open) {
        errno = EINVAL;
        return -1;
    }
    while (sem_wait(&semaphore) != 0) {
        if (errno != EINTR) {
            return -1;
        }
    }
    return 0;
}

int cSunMiscSignal_signalSemaphore(void) {
    if (!is_open) {
        errno = EINVAL;
        return -1;
    }
    return sem_post(&semaphore);
}

bool cSunMiscSignal_signalRangeCheck(int sig) {
    return sig > 0 && sig < NSIG;
}

/* One signal that is pending, its count taken down by one; -1 if none is. */
int cSunMiscSignal_checkPendingSignal(void) {
    for (int sig = 1; sig < NSIG; sig++) {
        long n;
        while ((n = pending[sig]) > 0) {
            if (__sync_bool_compare_and_swap(&pending[sig], n, n - 1)) {
                return sig;
            }
        }
    }
    return -1;
}

static void counting_handler(int sig) {
    int saved = errno;
    if (sig > 0 && sig < NSIG) {
        __sync_fetch_and_add(&pending[sig], 1);
        if (is_open) {
            sem_post(&semaphore); /* async-signal-safe */
        }
    }
    errno = saved;
}

void (*cSunMiscSignal_signalHandlerFunctionPointer(void))(int) {
    return counting_handler;
}
