// SPDX-License-Identifier: Apache-2.0
package org.xennet.nativebuild;

import com.oracle.svm.hosted.code.CodeLayoutOptimizationFeature;
import com.oracle.svm.hosted.code.CodeSectionLayouter;
import com.oracle.svm.hosted.code.SortByMethodNameCodeSectionLayouter;
import com.oracle.svm.hosted.image.NativeImage;
import com.oracle.svm.hosted.meta.HostedMethod;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.graalvm.nativeimage.ImageSingletons;
import org.graalvm.nativeimage.hosted.Feature;

/**
 * Builder-side only (never in the executable): lays out the code section with the methods a
 * hotplug call runs first, in one contiguous run, and the rest after them in the builder's own
 * order (by name). The kernel maps an executable's file pages in 64 kB blocks around each fault,
 * so with the default order a call that runs 1 MB of code scattered over the whole 9 MB text maps
 * most of it; packed together it maps little more than what it runs.
 *
 * <p>The hot methods are native/hot-methods.txt: the local symbol names of the methods one call
 * of each vif script runs, as callgrind saw them in an image built with its symbols
 * ({@code native/profile}). A stale list costs memory, never correctness: a method it names
 * that no longer exists is ignored, a new method lands in the name-ordered rest.
 *
 * <p>The builder installs its own layouter in {@code beforeCompilation} and offers no option to
 * choose another; this feature runs after it (it requires it) and replaces it in the builder's
 * table of image singletons.
 */
public final class HotCodeFirst implements Feature {
    static final String LIST = "xennet.native.hotMethods";

    @Override
    public List<Class<? extends Feature>> getRequiredFeatures() {
        return List.of(CodeLayoutOptimizationFeature.class);
    }

    @Override
    public void beforeCompilation(BeforeCompilationAccess access) {
        String file = System.getProperty(LIST);
        if (file == null || file.isEmpty()) {
            return;
        }
        List<String> hot;
        try {
            hot = Files.readAllLines(Path.of(file)).stream()
                    .map(String::strip).filter(l -> !l.isEmpty() && !l.startsWith("#")).toList();
        } catch (IOException e) {
            throw new UncheckedIOException("reading the hot method list " + file, e);
        }
        replace(CodeSectionLayouter.class, new Layouter(hot));
    }

    /** The builder's singleton table has no replace; its map is set directly. */
    private static <T> void replace(Class<T> key, T value) {
        if (!ImageSingletons.contains(key)) {
            ImageSingletons.add(key, value);
            return;
        }
        try {
            Class<?> mgmt = Class.forName("com.oracle.svm.hosted.ImageSingletonsSupportImpl$HostedManagement");
            Method get = mgmt.getDeclaredMethod("get");
            get.setAccessible(true);
            Object table = get.invoke(null);
            Field objects = mgmt.getDeclaredField("configObjects");
            objects.setAccessible(true);
            @SuppressWarnings("unchecked")
            Map<Class<?>, Object> map = (Map<Class<?>, Object>) objects.get(table);
            map.put(key, value);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("cannot replace the builder's " + key.getName()
                    + " (this GraalVM version lays out its image singletons differently)", e);
        }
        if (ImageSingletons.lookup(key) != value) {
            throw new IllegalStateException("the builder's " + key.getName() + " was not replaced");
        }
    }

    /**
     * The method's local symbol, as the builder names it in the executable. Called reflectively:
     * its parameter type is JVMCI's, which javac cannot see through the builder's module path.
     */
    private static final Method LOCAL_SYMBOL;

    static {
        try {
            LOCAL_SYMBOL = NativeImage.class.getMethod("localSymbolNameForMethod",
                    Class.forName("jdk.vm.ci.meta.ResolvedJavaMethod"));
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    static String symbol(HostedMethod m) {
        try {
            return (String) LOCAL_SYMBOL.invoke(null, m);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("naming the symbol of " + m, e);
        }
    }

    static final class Layouter implements CodeSectionLayouter {
        private final Map<String, Integer> rank = new HashMap<>();

        Layouter(List<String> hot) {
            for (String s : hot) {
                rank.putIfAbsent(s, rank.size());
            }
        }

        @Override
        public List<HostedMethod> layout(Map<HostedMethod, jdk.graal.compiler.code.CompilationResult> compilations) {
            List<HostedMethod> byName = new SortByMethodNameCodeSectionLayouter().layout(compilations);
            List<HostedMethod> first = new ArrayList<>();
            List<HostedMethod> rest = new ArrayList<>();
            Map<HostedMethod, Integer> at = new HashMap<>();
            for (HostedMethod m : byName) {
                Integer r = rank.get(symbol(m));
                if (r != null) {
                    at.put(m, r);
                    first.add(m);
                } else {
                    rest.add(m);
                }
            }
            first.sort((a, b) -> Integer.compare(at.get(a), at.get(b)));
            System.out.printf("xennet: code layout: %d of %d methods of the hot list first (%d listed)%n",
                    first.size(), byName.size(), rank.size());
            first.addAll(rest);
            return first;
        }
    }
}
