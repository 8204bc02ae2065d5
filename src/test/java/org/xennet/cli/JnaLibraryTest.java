// SPDX-License-Identifier: Apache-2.0
package org.xennet.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** JNA's native library is looked for where xennet puts it, in that order, before JNA starts. */
@Tag("cli")
class JnaLibraryTest {
    @TempDir
    Path tmp;

    @Test
    void theFirstPlaceThatHoldsTheLibraryWins() throws Exception {
        Path given = Files.createDirectories(tmp.resolve("given"));
        Path build = Files.createDirectories(tmp.resolve("target/native"));
        Path jar = tmp.resolve("target/xennet.jar");
        Files.writeString(build.resolve(JnaLibrary.LIBRARY), "");
        assertEquals(Optional.of(build), JnaLibrary.find(Map.of("XENNET_NATIVE_DIR", given.toString()),
                jar.toString(), "amd64", false), "XENNET_NATIVE_DIR without the library is passed by");
        Files.writeString(given.resolve(JnaLibrary.LIBRARY), "");
        assertEquals(Optional.of(given), JnaLibrary.find(Map.of("XENNET_NATIVE_DIR", given.toString()),
                jar.toString(), "amd64", false));
        assertEquals(Optional.of(build), JnaLibrary.find(Map.of(), jar.toString(), "amd64", false));
        assertEquals(Path.of("/usr/lib/xennet/linux-x86-64"),
                JnaLibrary.candidates(Map.of(), "a.jar:b.jar", "amd64", false).get(0), "no single jar: the package's");
    }

    @Test
    void architecturesAreNamedAsJnaNamesThem() {
        assertEquals("x86-64", JnaLibrary.jnaArch("amd64"));
        assertEquals("x86-64", JnaLibrary.jnaArch("x86_64"));
        assertEquals("aarch64", JnaLibrary.jnaArch("aarch64"));
        assertEquals("x86", JnaLibrary.jnaArch("i386"));
        assertEquals("ppc64le", JnaLibrary.jnaArch("ppc64le"));
    }
}
