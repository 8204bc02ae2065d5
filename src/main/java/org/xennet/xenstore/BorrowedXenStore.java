// SPDX-License-Identifier: Apache-2.0
package org.xennet.xenstore;

import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A connection lent to code that closes what it is given (a script run in-process): its
 * {@link #close} leaves the connection open for its owner. Transactions ({@link #writeAll}) on it
 * run one at a time, so that many borrowers at once stay within xenstored's quota of transactions
 * per connection.
 */
public record BorrowedXenStore(XenStore owner) implements XenStore {

    @Override
    public Optional<String> read(String path) {
        return owner.read(path);
    }

    @Override
    public void write(String path, String value) {
        owner.write(path, value);
    }

    @Override
    public void writeAll(Map<String, String> values) {
        synchronized (owner) {
            owner.writeAll(values);
        }
    }

    @Override
    public void remove(String path) {
        owner.remove(path);
    }

    @Override
    public List<String> directory(String path) {
        return owner.directory(path);
    }

    @Override
    public void mkdir(String path) {
        owner.mkdir(path);
    }

    @Override
    public void close() {
        // the owner's: it stays open
    }
}
