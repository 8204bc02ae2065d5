# SPDX-License-Identifier: Apache-2.0
# shellcheck shell=bash
# Shared by vm/build and vm/run.
XNVM_CACHE=${XNVM_CACHE:-${XENNET_CACHE:-/var/cache/xennet}/vm}
