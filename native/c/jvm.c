/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The stand-in libjvm.so of xennet's registry-only native build (see native/README.md).
 *
 * The image links the JDK's own libjava.so, libnio.so and libnet.so, which expect a HotSpot
 * libjvm.so beside them. The native image does the JVM's work itself (threads, classes,
 * reflection, signals, time), so the only JVM functions those libraries need from here are the
 * few below, called from inside the C code of the natives xennet reaches. Every other JVM_*
 * function the three libraries name gets a generated stub (jvm-stubs.c, made by native/build from
 * the libraries' symbol tables) that says which function is missing and aborts: a gap shows up as
 * a crashed test, never as a silent wrong answer.
 *
 * JNI_OnLoad_java, _nio, _net, _zip, _extnet: the image calls a built-in library's
 * JNI_OnLoad_<name> (the static-library convention); the shared libraries only have JNI_OnLoad,
 * so these forward to it (or, where a library has none, return the JNI version).
 *
 * Written for xennet from the JNI specification and the functions' documented contracts.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <jni.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

/* Called by the generated stubs. */
void xennet_jvm_missing(const char *name) {
    fprintf(stderr, "xennet (native): the JDK library called %s, which this build's stand-in libjvm does not "
            "provide (native/README.md); aborting\n", name);
    fflush(stderr);
    abort();
}

int jio_vsnprintf(char *str, size_t count, const char *fmt, va_list args) {
    if ((long) count <= 0) {
        return -1;
    }
    int n = vsnprintf(str, count, fmt, args);
    if (n < 0 || (size_t) n >= count) {
        str[count - 1] = '\0';
        return -1; /* as the JVM's: -1 when truncated */
    }
    return n;
}

int jio_snprintf(char *str, size_t count, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    int n = jio_vsnprintf(str, count, fmt, ap);
    va_end(ap);
    return n;
}

int jio_vfprintf(FILE *f, const char *fmt, va_list args) {
    return vfprintf(f, fmt, args);
}

int jio_fprintf(FILE *f, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    int n = vfprintf(f, fmt, ap);
    va_end(ap);
    return n;
}

jint JVM_ActiveProcessorCount(void) {
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    return n > 0 ? (jint) n : 1;
}

jlong JVM_CurrentTimeMillis(JNIEnv *env, jclass c) {
    struct timespec t;
    (void) env;
    (void) c;
    clock_gettime(CLOCK_REALTIME, &t);
    return (jlong) t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

jlong JVM_NanoTime(JNIEnv *env, jclass c) {
    struct timespec t;
    (void) env;
    (void) c;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (jlong) t.tv_sec * 1000000000 + t.tv_nsec;
}

/* The nanoseconds from offset_secs to now, or -1 if that does not fit (more than 2^32 s away). */
jlong JVM_GetNanoTimeAdjustment(JNIEnv *env, jclass c, jlong offset_secs) {
    struct timespec t;
    (void) env;
    (void) c;
    clock_gettime(CLOCK_REALTIME, &t);
    jlong diff = (jlong) t.tv_sec - offset_secs;
    if (diff >= 0x100000000LL || diff <= -0x100000000LL) {
        return -1;
    }
    return diff * 1000000000 + t.tv_nsec;
}

jboolean JVM_IsSupportedJNIVersion(jint version) {
    switch (version) {
    case JNI_VERSION_1_1:
    case JNI_VERSION_1_2:
    case JNI_VERSION_1_4:
    case JNI_VERSION_1_6:
    case JNI_VERSION_1_8:
    case JNI_VERSION_9:
    case JNI_VERSION_10:
    case JNI_VERSION_19:
    case JNI_VERSION_20:
    case JNI_VERSION_21:
    case JNI_VERSION_24:
        return JNI_TRUE;
    default:
        return JNI_FALSE;
    }
}

void *JVM_FindLibraryEntry(void *handle, const char *name) {
    return dlsym(handle, name); /* libnet asks for inet_pton this way */
}

/* The image calls this once at start to tie itself to the library ("jvm"); nothing to do. */
void initialize(void) {
}

jstring JVM_GetTemporaryDirectory(JNIEnv *env) {
    return (*env)->NewStringUTF(env, "/tmp"); /* as HotSpot on Linux */
}

void JVM_BeforeHalt(void) {
}

void JVM_Halt(jint code) {
    exit(code);
}

/* System.arraycopy's work, for C code that asks the JVM for it. */
void JVM_ArrayCopy(JNIEnv *env, jclass c, jobject src, jint src_pos, jobject dst, jint dst_pos, jint length) {
    (void) c;
    jclass system = (*env)->FindClass(env, "java/lang/System");
    jmethodID arraycopy = system == NULL ? NULL
            : (*env)->GetStaticMethodID(env, system, "arraycopy", "(Ljava/lang/Object;ILjava/lang/Object;II)V");
    if (arraycopy == NULL) {
        xennet_jvm_missing("JVM_ArrayCopy (System.arraycopy not found)");
    }
    (*env)->CallStaticVoidMethod(env, system, arraycopy, src, src_pos, dst, dst_pos, length);
}

static jint forward_onload(const char *lib, JavaVM *vm, void *reserved) {
    void *h = dlopen(lib, RTLD_LAZY | RTLD_NOLOAD);
    jint (*onload)(JavaVM *, void *) = h == NULL ? NULL : (jint (*)(JavaVM *, void *)) dlsym(h, "JNI_OnLoad");
    if (onload == NULL) {
        fprintf(stderr, "xennet (native): %s is not loaded or has no JNI_OnLoad (%s)\n", lib, dlerror());
        abort();
    }
    jint version = onload(vm, reserved);
    /* A statically linked library's JNI_OnLoad_<lib> must answer 1.8 or later (JNI spec); the
     * shared library answers the version it was written for (libjava: 1.2). */
    return version < 0 ? version : (version < JNI_VERSION_1_8 ? JNI_VERSION_1_8 : version);
}

JNIEXPORT jint JNICALL JNI_OnLoad_java(JavaVM *vm, void *reserved) {
    return forward_onload("libjava.so", vm, reserved);
}

JNIEXPORT jint JNICALL JNI_OnLoad_nio(JavaVM *vm, void *reserved) {
    return forward_onload("libnio.so", vm, reserved);
}

JNIEXPORT jint JNICALL JNI_OnLoad_net(JavaVM *vm, void *reserved) {
    return forward_onload("libnet.so", vm, reserved);
}

/* libzip and libextnet have no JNI_OnLoad: the JNI version they were written for. */
JNIEXPORT jint JNICALL JNI_OnLoad_zip(JavaVM *vm, void *reserved) {
    (void) vm;
    (void) reserved;
    return JNI_VERSION_1_8;
}

JNIEXPORT jint JNICALL JNI_OnLoad_extnet(JavaVM *vm, void *reserved) {
    (void) vm;
    (void) reserved;
    return JNI_VERSION_1_8;
}
