/* SPDX-License-Identifier: Apache-2.0 */
/*
 * xenstored-stub.c -- lets Debian's stock xenstored (xen-utils-4.17) run on a
 * machine without a Xen hypervisor, for tests.  LD_PRELOAD it into xenstored:
 *
 *   gcc -shared -fPIC -O2 -o target/xenstored-stub.so src/main/c/xenstored-stub.c -ldl
 *   XENSTORED_RUNDIR=$DIR LD_PRELOAD=target/xenstored-stub.so \
 *       /usr/lib/xen-4.17/bin/xenstored --no-fork --pid-file $DIR/xenstored.pid
 *   XENSTORED_PATH=$DIR/socket xenstore-write /a b
 *
 * Why not just "xenstored -D" (no domain init)?  In 4.17 that skips opening
 * the hypervisor handle, and the first write then dereferences that NULL
 * handle (domain accounting) and segfaults.  So xenstored runs its normal
 * start-up, and everything it asks of the hypervisor is answered here:
 *
 *  - libxenctrl:     xc_interface_open/close, xc_domain_getinfo.  Every domid
 *                    below DOMID_FIRST_RESERVED "exists" and is running, so
 *                    dom0 can be introduced and node permissions naming a
 *                    guest (xenstore-chmod ... r3) are kept, not ignored.
 *  - libxenevtchn:   one handle whose fd is an eventfd nobody ever signals, so
 *                    xenstored's poll() never wakes for it; binds hand out
 *                    increasing port numbers; notify/unmask/unbind succeed.
 *  - libxengnttab:   open/close/set_max_grants succeed; mapping a guest's ring
 *                    fails with ENOSYS (guests cannot be introduced: there are
 *                    none).
 *  - open(2) of /proc/xen/xsd_port and /proc/xen/xsd_kva (dom0's xenstore
 *    event channel and ring page): redirected to $XENSTORED_RUNDIR/xsd_port
 *    ("1") and $XENSTORED_RUNDIR/xsd_kva (one zero page), created on first
 *    use.  xenstored mmaps the latter as dom0's ring; nobody writes requests
 *    into it, so that connection just stays idle.  Clients talk over the
 *    unix socket $XENSTORED_RUNDIR/socket (or $XENSTORED_PATH) as dom0.
 *
 * The prototypes below use opaque pointers; only the leading fields of
 * xc_dominfo_t that xenstored reads (domid, ssidref, the flag bits) are
 * written, so the stub needs no Xen headers.  Nothing here touches /dev/xen,
 * the network, or anything outside $XENSTORED_RUNDIR.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/stat.h>
#include <unistd.h>

#define DOMID_FIRST_RESERVED 0x7FF0U
#define XSD_PORT "/proc/xen/xsd_port"
#define XSD_KVA "/proc/xen/xsd_kva"

/* ---- libxenctrl ------------------------------------------------------- */

static int xc_dummy;

void *xc_interface_open(void *logger, void *dombuild_logger, unsigned flags)
{
    (void)logger; (void)dombuild_logger; (void)flags;
    return &xc_dummy;
}

int xc_interface_close(void *xch)
{
    (void)xch;
    return 0;
}

/* Leading fields of xc_dominfo_t (xenctrl.h, 4.17); the flag bits
 * dying, crashed, shutdown, ... are all left 0 = running. */
struct dominfo_head {
    uint32_t domid;
    uint32_t ssidref;
    unsigned int flags;
};

int xc_domain_getinfo(void *xch, uint32_t first_domid, unsigned max_doms,
                      struct dominfo_head *info)
{
    (void)xch;
    if (max_doms == 0 || first_domid >= DOMID_FIRST_RESERVED)
        return 0;
    memset(info, 0, sizeof(*info));
    info->domid = first_domid;
    return 1;
}

/* ---- libxenevtchn ------------------------------------------------------ */

struct evtchn {
    int fd;
};

static struct evtchn evtchn = { -1 };
static int next_port = 1;

void *xenevtchn_open(void *logger, unsigned flags)
{
    (void)logger; (void)flags;
    if (evtchn.fd < 0)
        evtchn.fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
    return evtchn.fd < 0 ? NULL : &evtchn;
}

/* Used by xenstored's live update only: adopt the inherited fd. */
void *xenevtchn_fdopen(void *logger, int fd, unsigned flags)
{
    (void)logger; (void)flags;
    evtchn.fd = fd;
    return &evtchn;
}

int xenevtchn_close(struct evtchn *h)
{
    (void)h;
    return 0;
}

int xenevtchn_fd(struct evtchn *h)
{
    return h->fd;
}

int xenevtchn_bind_virq(struct evtchn *h, unsigned virq)
{
    (void)h; (void)virq;
    return next_port++;
}

int xenevtchn_bind_interdomain(struct evtchn *h, uint32_t domid, uint32_t remote_port)
{
    (void)h; (void)domid; (void)remote_port;
    return next_port++;
}

int xenevtchn_notify(struct evtchn *h, uint32_t port)
{
    (void)h; (void)port;
    return 0;
}

int xenevtchn_unbind(struct evtchn *h, uint32_t port)
{
    (void)h; (void)port;
    return 0;
}

int xenevtchn_unmask(struct evtchn *h, uint32_t port)
{
    (void)h; (void)port;
    return 0;
}

/* Never called: the fd never becomes readable. */
int xenevtchn_pending(struct evtchn *h)
{
    (void)h;
    errno = EAGAIN;
    return -1;
}

/* ---- libxengnttab ------------------------------------------------------ */

static int gnttab_dummy;

void *xengnttab_open(void *logger, unsigned flags)
{
    (void)logger; (void)flags;
    return &gnttab_dummy;
}

int xengnttab_close(void *xgt)
{
    (void)xgt;
    return 0;
}

int xengnttab_set_max_grants(void *xgt, uint32_t count)
{
    (void)xgt; (void)count;
    return 0;
}

void *xengnttab_map_grant_ref(void *xgt, uint32_t domid, uint32_t ref, int prot)
{
    (void)xgt; (void)domid; (void)ref; (void)prot;
    errno = ENOSYS;
    return NULL;
}

int xengnttab_unmap(void *xgt, void *start_address, uint32_t count)
{
    (void)xgt; (void)start_address; (void)count;
    return 0;
}

/* ---- /proc/xen/xsd_port and /proc/xen/xsd_kva -------------------------- */

/* Creates $XENSTORED_RUNDIR/NAME holding len bytes of content (if absent)
 * and returns its path in buf, or NULL with errno set. */
static const char *fake_file(char *buf, size_t size, const char *name,
                             const char *content, size_t len)
{
    const char *dir = getenv("XENSTORED_RUNDIR");
    if (dir == NULL || *dir == '\0') {
        errno = ENOENT;
        return NULL;
    }
    if ((size_t)snprintf(buf, size, "%s/%s", dir, name) >= size) {
        errno = ENAMETOOLONG;
        return NULL;
    }
    if (access(buf, F_OK) == 0)
        return buf;
    FILE *f = fopen(buf, "w");
    if (f == NULL)
        return NULL;
    size_t written = fwrite(content, 1, len, f);
    if (fclose(f) != 0 || written != len)
        return NULL;
    return buf;
}

static const char *redirect(const char *path, char *buf, size_t size)
{
    if (strcmp(path, XSD_PORT) == 0)
        return fake_file(buf, size, "xsd_port", "1\n", 2);
    if (strcmp(path, XSD_KVA) == 0) {
        static char page[4096]; /* one zero page: dom0's (idle) ring */
        long ps = sysconf(_SC_PAGESIZE);
        if (ps > (long)sizeof(page)) {
            errno = EINVAL;
            return NULL;
        }
        return fake_file(buf, size, "xsd_kva", page, (size_t)ps);
    }
    return path;
}

static int (*real_open)(const char *, int, ...);

int open(const char *path, int flags, ...)
{
    mode_t mode = 0;
    if (flags & (O_CREAT | O_TMPFILE)) {
        va_list ap;
        va_start(ap, flags);
        mode = va_arg(ap, mode_t);
        va_end(ap);
    }
    if (real_open == NULL)
        real_open = (int (*)(const char *, int, ...))dlsym(RTLD_NEXT, "open");
    char buf[4096];
    const char *target = redirect(path, buf, sizeof(buf));
    if (target == NULL)
        return -1;
    return real_open(target, flags, mode);
}
