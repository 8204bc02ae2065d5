// SPDX-License-Identifier: Apache-2.0
package org.xennet.xenstore;

import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The XenStore operations the scripts use, named after the xenstore-* tools. Paths may be
 * absolute or relative; a relative path is resolved against dom0's home, /local/domain/0, as
 * xenstored resolves it for the xenstore-* tools ({@code backend/vif/3/0} is
 * {@code /local/domain/0/backend/vif/3/0}).
 */
public interface XenStore extends AutoCloseable {

    /** Equivalent to: {@code xenstore-read PATH}; empty when the node does not exist. */
    Optional<String> read(String path);

    /** Equivalent to: {@code xenstore-write PATH VALUE}. */
    void write(String path, String value);

    /**
     * Equivalent to: {@code xenstore-write K1 V1 K2 V2 ...}: every pair in one transaction, in
     * map order, retried when the transaction ends with EAGAIN (a bounded number of times).
     */
    void writeAll(Map<String, String> values);

    /** Equivalent to: {@code xenstore-rm PATH}; a missing node is not an error. */
    void remove(String path);

    /** Equivalent to: {@code xenstore-list PATH}: the children's names; a missing node is a XenStoreException (ENOENT). */
    List<String> directory(String path);

    /** Equivalent to: {@code xenstore-write PATH ""} for a directory node. */
    void mkdir(String path);

    @Override
    void close();
}
