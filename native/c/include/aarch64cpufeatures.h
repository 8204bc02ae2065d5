/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The image builder compiles the CPU feature query of every architecture, even those it does not
 * target, so this record (AArch64LibCHelper.CPUFeatures: one byte per feature) must exist. xennet's
 * registry-only build targets x86-64 only: nothing here is implemented (see native/README.md).
 */
#ifndef XENNET_AARCH64CPUFEATURES_H
#define XENNET_AARCH64CPUFEATURES_H

typedef struct {
    char fFP;
    char fASIMD;
    char fEVTSTRM;
    char fAES;
    char fPMULL;
    char fSHA1;
    char fSHA2;
    char fCRC32;
    char fLSE;
    char fDCPOP;
    char fSHA3;
    char fSHA512;
    char fSVE;
    char fSVE2;
    char fSTXR_PREFETCH;
    char fA53MAC;
    char fDMB_ATOMICS;
    char fPACA;
    char fSVEBITPERM;
    char fFPHP;
    char fASIMDHP;
} CPUFeatures;

#endif
