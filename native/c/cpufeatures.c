/* SPDX-License-Identifier: Apache-2.0 */
/*
 * CPU feature detection for the native image (x86-64), written for xennet from the CPUID and
 * XGETBV descriptions in the Intel and AMD manuals. The image calls checkCPUFeaturesOrExit at
 * start with the features it was compiled for, and determineCPUFeatures for run-time checks.
 *
 * Conservative by design: a feature is reported only when the CPU announces it and, for the
 * vector extensions, the kernel saves the register state it needs. A feature reported absent only
 * costs speed; one reported present by mistake would be an illegal instruction, so the rarer ones
 * (AVX10, APX) are never reported.
 */
#include <cpuid.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "amd64cpufeatures.h"

#define BIT(reg, n) (((reg) >> (n)) & 1u)

static int cpuid(unsigned leaf, unsigned sub, unsigned r[4]) {
    unsigned max = __get_cpuid_max(leaf & 0x80000000u, NULL);
    if (max < leaf) {
        r[0] = r[1] = r[2] = r[3] = 0;
        return 0;
    }
    __cpuid_count(leaf, sub, r[0], r[1], r[2], r[3]);
    return 1;
}

static uint64_t xcr0(void) {
    uint32_t lo, hi;
    __asm__ volatile("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0));
    return ((uint64_t) hi << 32) | lo;
}

void determineCPUFeatures(CPUFeatures *f) {
    unsigned l1[4], l7[4], l71[4], e1[4], e7[4];
    memset(f, 0, sizeof(*f));
    cpuid(1, 0, l1);
    cpuid(7, 0, l7);
    if (l7[0] >= 1) {
        cpuid(7, 1, l71);
    } else {
        memset(l71, 0, sizeof(l71));
    }
    cpuid(0x80000001u, 0, e1);
    cpuid(0x80000007u, 0, e7);
    unsigned ecx1 = l1[2], edx1 = l1[3], ebx7 = l7[1], ecx7 = l7[2], edx7 = l7[3];

    /* The OS saves the SSE and AVX (YMM) state, and the AVX-512 opmask and ZMM state. */
    int osxsave = BIT(ecx1, 27);
    uint64_t x = osxsave ? xcr0() : 0;
    int os_avx = osxsave && (x & 0x6) == 0x6;
    int os_avx512 = os_avx && (x & 0xe0) == 0xe0;

    f->fCX8 = BIT(edx1, 8);
    f->fCMOV = BIT(edx1, 15);
    f->fFXSR = BIT(edx1, 24);
    f->fHT = BIT(edx1, 28);
    f->fMMX = BIT(edx1, 23);
    f->fAMD_3DNOW_PREFETCH = BIT(e1[2], 8);
    f->fSSE = BIT(edx1, 25);
    f->fSSE2 = BIT(edx1, 26);
    f->fSSE3 = BIT(ecx1, 0);
    f->fSSSE3 = BIT(ecx1, 9);
    f->fSSE4A = BIT(e1[2], 6);
    f->fSSE4_1 = BIT(ecx1, 19);
    f->fSSE4_2 = BIT(ecx1, 20);
    f->fPOPCNT = BIT(ecx1, 23);
    f->fLZCNT = BIT(e1[2], 5);
    f->fTSC = BIT(edx1, 4);
    f->fTSCINV_BIT = BIT(e7[3], 8);
    f->fTSCINV = f->fTSCINV_BIT;
    f->fAES = BIT(ecx1, 25);
    f->fCLMUL = BIT(ecx1, 1);
    f->fERMS = BIT(ebx7, 9);
    f->fBMI1 = BIT(ebx7, 3);
    f->fBMI2 = BIT(ebx7, 8);
    f->fRTM = BIT(ebx7, 11);
    f->fADX = BIT(ebx7, 19);
    f->fSHA = BIT(ebx7, 29);
    f->fFLUSH = BIT(edx1, 19);
    f->fFLUSHOPT = BIT(ebx7, 23);
    f->fCLWB = BIT(ebx7, 24);
    f->fHV = BIT(ecx1, 31);
    f->fSERIALIZE = BIT(edx7, 14);
    f->fRDTSCP = BIT(e1[3], 27);
    f->fRDPID = BIT(ecx7, 22);
    f->fFSRM = BIT(edx7, 4);
    f->fPKU = BIT(ecx7, 3);
    f->fOSPKE = BIT(ecx7, 4);
    f->fCET_IBT = BIT(edx7, 20);
    f->fCET_SS = BIT(ecx7, 7);
    f->fGFNI = BIT(ecx7, 8);
    if (os_avx) {
        f->fAVX = BIT(ecx1, 28);
        f->fVZEROUPPER = f->fAVX;
        f->fAVX2 = f->fAVX && BIT(ebx7, 5);
        f->fFMA = f->fAVX && BIT(ecx1, 12);
        f->fF16C = f->fAVX && BIT(ecx1, 29);
        f->fAVX_IFMA = f->fAVX2 && BIT(l71[0], 23);
        f->fSHA512 = f->fAVX2 && BIT(l71[0], 0);
    }
    if (os_avx512 && BIT(ebx7, 16)) {
        f->fAVX512F = 1;
        f->fAVX512DQ = BIT(ebx7, 17);
        f->fAVX512_IFMA = BIT(ebx7, 21);
        f->fAVX512PF = BIT(ebx7, 26);
        f->fAVX512ER = BIT(ebx7, 27);
        f->fAVX512CD = BIT(ebx7, 28);
        f->fAVX512BW = BIT(ebx7, 30);
        f->fAVX512VL = BIT(ebx7, 31);
        f->fAVX512_VBMI = BIT(ecx7, 1);
        f->fAVX512_VBMI2 = BIT(ecx7, 6);
        f->fAVX512_VAES = BIT(ecx7, 9);
        f->fAVX512_VPCLMULQDQ = BIT(ecx7, 10);
        f->fAVX512_VNNI = BIT(ecx7, 11);
        f->fAVX512_BITALG = BIT(ecx7, 12);
        f->fAVX512_VPOPCNTDQ = BIT(ecx7, 14);
        f->fAVX512_FP16 = BIT(edx7, 23);
    }
    /* fAPX_F, fAVX10_1, fAVX10_2: never reported (see above). */
}

/*
 * The builder stores the features the image was compiled for as a CPUFeatures record in bitwise
 * negated form: a byte is ~1 where the feature is required, 0xff where it is not.
 */
int checkCPUFeatures(const unsigned char *mask) {
    CPUFeatures f;
    const unsigned char *have = (const unsigned char *) &f;
    determineCPUFeatures(&f);
    for (size_t i = 0; i < sizeof(f); i++) {
        if ((~mask[i] & 1u) && !have[i]) {
            return 1;
        }
    }
    return 0;
}

int checkCPUFeaturesOrExit(const unsigned char *mask, const char *errorMessage) {
    if (checkCPUFeatures(mask) != 0) {
        fprintf(stderr, "%s\n", errorMessage);
        exit(1);
    }
    return 0;
}
