// SPDX-License-Identifier: Apache-2.0
package org.xennet.scripts.vif;

import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.xennet.error.UsageException;
import org.xennet.model.InterfaceName;
import org.xennet.scripts.Params;
import org.xennet.text.Printable;

/**
 * The front half of every vif script (vif-common.sh): which device and which XenStore directory
 * a call is about. {@code type_if=vif} takes env {@code vif} and {@code XENBUS_PATH};
 * {@code type_if=tap} takes {@code INTERFACE} ({@code vifD.N-emu}) and derives the backend path.
 * The guest's domid and device number come from the backend path, not from the interface name,
 * so a custom {@code vifname} no longer sends the frontend MTU to a bogus path.
 *
 * <p>XENBUS_PATH must name a vif backend: {@code backend/vif/D/N} as libxl passes it (relative
 * to dom0's home), or absolute under a domain, {@code /local/domain/X/backend/vif/D/N} (a driver
 * domain). Anything else is refused before anything is read or written, so a call can never
 * write hotplug-status somewhere else in XenStore.
 */
public record VifTarget(String typeIf, String dev, String xenbusPath, int domid, int devid) {

    /** Domain ids at and above DOMID_FIRST_RESERVED (0x7FF0) are Xen's own (DOMID_SELF, ...), never a guest. */
    public static final int MAX_DOMID = 0x7FEF;
    /** Device numbers are non-negative ints in libxl. */
    public static final int MAX_DEVID = Integer.MAX_VALUE;

    private static final Pattern BACKEND =
            Pattern.compile("(?:/local/domain/([0-9]{1,10})/)?backend/vif/([0-9]{1,10})/([0-9]{1,10})");
    private static final Pattern TAP = Pattern.compile("vif([0-9]{1,10})\\.([0-9]{1,10})-emu");

    public static VifTarget resolve(String script, Params p) {
        String typeIf = p.get("type_if", "vif");
        if (typeIf.equals("tap")) {
            String dev = p.require("INTERFACE", "the tap device, set by the toolstack for type_if=tap");
            InterfaceName.check("INTERFACE", dev);
            Matcher m = TAP.matcher(dev);
            if (!m.matches()) {
                throw new UsageException(script + ": INTERFACE=" + Printable.quote(dev)
                        + " is not a Xen emulated NIC (vifD.N-emu)");
            }
            int domid = number(script, "INTERFACE", dev, "domain id", m.group(1), MAX_DOMID);
            int devid = number(script, "INTERFACE", dev, "device number", m.group(2), MAX_DEVID);
            return new VifTarget(typeIf, dev, "/local/domain/0/backend/vif/" + domid + "/" + devid, domid, devid);
        }
        String path = p.require("XENBUS_PATH", "the backend directory in XenStore, set by the toolstack");
        int[] ids = backendIds(script, path);
        String dev = p.require("vif", "the backend interface, set by the toolstack");
        InterfaceName.check("vif", dev);
        return new VifTarget(typeIf, dev, path, ids[0], ids[1]);
    }

    /**
     * The backend directory of a call, when the parameters name a usable one (for reporting a
     * refusal to libxl); empty when they do not, or name none.
     */
    public static Optional<String> usablePath(String script, Params p) {
        try {
            if (p.get("type_if", "vif").equals("tap")) {
                return Optional.of(resolve(script, p).xenbusPath());
            }
            String path = p.get("XENBUS_PATH").orElse(null);
            if (path == null) {
                return Optional.empty();
            }
            backendIds(script, path);
            return Optional.of(path);
        } catch (UsageException e) {
            return Optional.empty();
        }
    }

    /** {domid, devid} of a backend path, or a refusal naming the value and what is wrong. */
    static int[] backendIds(String script, String path) {
        Matcher m = BACKEND.matcher(path);
        if (!m.matches()) {
            throw new UsageException(script + ": XENBUS_PATH=" + Printable.quote(path) + " is not a vif backend "
                    + "directory (backend/vif/DOMID/DEVID, or /local/domain/ID/backend/vif/DOMID/DEVID)");
        }
        if (m.group(1) != null) {
            number(script, "XENBUS_PATH", path, "backend domain id", m.group(1), MAX_DOMID);
        }
        return new int[] {number(script, "XENBUS_PATH", path, "domain id", m.group(2), MAX_DOMID),
            number(script, "XENBUS_PATH", path, "device number", m.group(3), MAX_DEVID)};
    }

    private static int number(String script, String var, String value, String what, String digits, int max) {
        long n = Long.parseLong(digits);
        if (n > max || (digits.length() > 1 && digits.charAt(0) == '0')) {
            throw new UsageException(script + ": " + var + "=" + Printable.quote(value) + ": " + what + " " + digits
                    + " is not valid (0-" + max + ", no leading zeros)");
        }
        return (int) n;
    }

    /** The frontend's MTU node, {@code /local/domain/D/device/vif/N/mtu}. */
    public Optional<String> frontendMtuPath() {
        return Optional.of("/local/domain/" + domid + "/device/vif/" + devid + "/mtu");
    }

    public String key(String name) {
        return xenbusPath + "/" + name;
    }
}
