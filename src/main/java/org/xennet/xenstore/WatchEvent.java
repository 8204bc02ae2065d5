// SPDX-License-Identifier: Apache-2.0
package org.xennet.xenstore;

/**
 * An XS_WATCH_EVENT: {@code path} is the node that changed (the watched path itself for the event
 * xenstored fires when the watch is set up), {@code token} the one given to
 * {@link XenStoreClient#watch}.
 */
public record WatchEvent(String path, String token) {
}
