package org.xennet.scripts.vif;

import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.xennet.error.UsageException;
import org.xennet.model.InterfaceName;
import org.xennet.scripts.Params;

/**
 * The front half of every vif script (vif-common.sh): which device and which XenStore directory
 * a call is about. {@code type_if=vif} takes env {@code vif} and {@code XENBUS_PATH};
 * {@code type_if=tap} takes {@code INTERFACE} ({@code vifD.N-emu}) and derives the backend path.
 * The guest's domid and device number come from the backend path, not from the interface name,
 * so a custom {@code vifname} no longer sends the frontend MTU to a bogus path.
 */
public record VifTarget(String typeIf, String dev, String xenbusPath, int domid, int devid) {

    private static final Pattern BACKEND = Pattern.compile("(?:^|/)backend/vif/([0-9]+)/([0-9]+)$");
    private static final Pattern TAP = Pattern.compile("^vif([0-9]+)\\.([0-9]+)-emu$");

    public static VifTarget resolve(String script, Params p) {
        String typeIf = p.get("type_if", "vif");
        if (typeIf.equals("tap")) {
            String dev = p.require("INTERFACE", "the tap device, set by the toolstack for type_if=tap");
            InterfaceName.check("INTERFACE", dev);
            Matcher m = TAP.matcher(dev);
            if (!m.matches()) {
                throw new UsageException(script + ": INTERFACE='" + dev + "' is not a Xen emulated NIC (vifD.N-emu)");
            }
            String path = "/local/domain/0/backend/vif/" + m.group(1) + "/" + m.group(2);
            return new VifTarget(typeIf, dev, path, Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2)));
        }
        String path = p.require("XENBUS_PATH", "the backend directory in XenStore, set by the toolstack");
        String dev = p.require("vif", "the backend interface, set by the toolstack");
        Matcher m = BACKEND.matcher(path);
        return m.find()
                ? new VifTarget(typeIf, dev, path, Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2)))
                : new VifTarget(typeIf, dev, path, -1, -1);
    }

    /** The frontend's MTU node, {@code /local/domain/D/device/vif/N/mtu}, when the backend path names D and N. */
    public Optional<String> frontendMtuPath() {
        return domid < 0 ? Optional.empty()
                : Optional.of("/local/domain/" + domid + "/device/vif/" + devid + "/mtu");
    }

    public String key(String name) {
        return xenbusPath + "/" + name;
    }
}
