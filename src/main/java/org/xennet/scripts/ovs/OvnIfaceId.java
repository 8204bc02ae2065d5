// SPDX-License-Identifier: Apache-2.0
package org.xennet.scripts.ovs;

import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.xennet.error.UsageException;
import org.xennet.error.XennetException;
import org.xennet.text.Printable;

/**
 * The OVN logical switch port a vif is bound to ({@code external_ids:iface-id}), made from a
 * template over what libxl writes for every guest: {@code ${uuid}} (the VM's uuid),
 * {@code ${devid}} (the vif's device number), {@code ${mac}} and {@code ${name}}. The default,
 * {@value #DEFAULT}, is known to the cloud controller before the guest exists, is the same on
 * every host, and survives a migration (the uuid and device number move with the guest; the
 * domain id does not, and the name is {@code NAME--incoming} while xl migrates).
 */
public final class OvnIfaceId {
    public static final String DEFAULT = "${uuid}-${devid}";
    private static final Pattern VAR = Pattern.compile("\\$\\{([a-z]+)\\}");
    private static final Pattern RESULT = Pattern.compile("[A-Za-z0-9_.:@+-]{1,255}");

    private OvnIfaceId() {
    }

    /** Refuses a template with an unknown variable or a '$' that starts none, before anything changes. */
    public static void check(String template) {
        Matcher m = VAR.matcher(template);
        int at = 0;
        while (m.find()) {
            if (template.substring(at, m.start()).contains("$")) {
                break;
            }
            if (!Map.of("uuid", 1, "devid", 1, "mac", 1, "name", 1).containsKey(m.group(1))) {
                throw new UsageException("ovn_iface_id=" + Printable.quote(template) + ": unknown variable ${"
                        + m.group(1) + "} (known: ${uuid}, ${devid}, ${mac}, ${name})");
            }
            at = m.end();
        }
        if (template.substring(at).contains("$")) {
            throw new UsageException("ovn_iface_id=" + Printable.quote(template)
                    + ": a '$' that starts no ${uuid}, ${devid}, ${mac} or ${name}");
        }
    }

    /** The template with the guest's values; a result that is not a plain name is refused. */
    public static String expand(String template, Map<String, String> values) {
        check(template);
        Matcher m = VAR.matcher(template);
        StringBuilder b = new StringBuilder();
        while (m.find()) {
            m.appendReplacement(b, Matcher.quoteReplacement(values.getOrDefault(m.group(1), "")));
        }
        m.appendTail(b);
        String id = b.toString();
        if (!RESULT.matcher(id).matches()) {
            throw new XennetException("the OVN logical port name " + Printable.quote(id) + " (from ovn_iface_id="
                    + Printable.quote(template) + ") is not 1-255 of A-Z a-z 0-9 _ . : @ + -");
        }
        return id;
    }
}
