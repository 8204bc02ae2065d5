/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The image builder compiles the CPU feature query of every architecture, even those it does not
 * target, so this record (RISCV64LibCHelper.CPUFeatures: one byte per feature) must exist. xennet's
 * registry-only build targets x86-64 only: nothing here is implemented (see native/README.md).
 */
#ifndef XENNET_RISCV64CPUFEATURES_H
#define XENNET_RISCV64CPUFEATURES_H

typedef struct {
    char fI;
    char fM;
    char fA;
    char fF;
    char fD;
    char fC;
    char fV;
} CPUFeatures;

#endif
