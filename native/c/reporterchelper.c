/* SPDX-License-Identifier: Apache-2.0 */
/*
 * For the image builder's progress report (com.oracle.svm.hosted.ProgressReporterCHelper), which
 * the builder of GraalVM 25.0 refuses to run without: the terminal's width and the builder's peak
 * RSS. xennet's own code; see native/README.md.
 */
#include <jni.h>
#include <sys/ioctl.h>
#include <sys/resource.h>
#include <unistd.h>

JNIEXPORT jint JNICALL Java_com_oracle_svm_hosted_ProgressReporterCHelper_getTerminalWindowColumns0(JNIEnv *env, jclass c) {
    struct winsize w;
    (void) env;
    (void) c;
    if (ioctl(STDOUT_FILENO, TIOCGWINSZ, &w) == 0 && w.ws_col > 0) {
        return w.ws_col;
    }
    return 80;
}

JNIEXPORT jlong JNICALL Java_com_oracle_svm_hosted_ProgressReporterCHelper_getPeakRSS0(JNIEnv *env, jclass c) {
    struct rusage u;
    (void) env;
    (void) c;
    if (getrusage(RUSAGE_SELF, &u) != 0) {
        return -1;
    }
    return (jlong) u.ru_maxrss * 1024; /* kB on Linux */
}
