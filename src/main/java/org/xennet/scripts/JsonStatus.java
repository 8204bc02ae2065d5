// SPDX-License-Identifier: Apache-2.0
package org.xennet.scripts;

/** A script whose {@code status} has a JSON form ({@code status --json}); see {@link StatusJson}. */
public interface JsonStatus {
    /** The status as data, and the exit status of the text form. Changes nothing. */
    StatusJson.Status statusJson(Params p, ScriptContext ctx);
}
