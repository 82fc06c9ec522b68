package org.longform.bench;

import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Path;

/**
 * Two engine builds side by side in one JVM, for the A/B harnesses ({@link GemmAb}, {@link GemvAb},
 * {@link PrefillAb}): each build's engine and the harness's case class in a loader of their own, so
 * the case links against that build; alternating the two in one process lets both see the same
 * phase of a shared machine.
 */
final class AbBuilds {
    private AbBuilds() {}

    /**
     * Loads Longform's classes (the engine and the case) itself, the rest (tokenizer, JSON) from the
     * application loader: the engine needs its dependencies, which are on the class path, and must
     * not come from there itself.
     */
    private static final class EngineLoader extends URLClassLoader {
        EngineLoader(URL[] urls, ClassLoader parent) {
            super(urls, parent);
        }

        @Override
        protected Class<?> loadClass(String name, boolean resolve) throws ClassNotFoundException {
            if (!name.startsWith("org.longform.")) return super.loadClass(name, resolve);
            synchronized (getClassLoadingLock(name)) {
                Class<?> c = findLoadedClass(name);
                if (c == null) c = findClass(name);
                if (resolve) resolveClass(c);
                return c;
            }
        }
    }

    /**
     * {@code caseClass} as built against the engine on {@code classpath} (':'-separated jars or class
     * folders), loaded by name (it is not linked in the harness's own loader) from the harness's jar.
     */
    static Class<?> caseClass(String classpath, Class<?> harness, String caseClass) throws Exception {
        String[] cp = classpath.split(":");
        URL[] urls = new URL[cp.length + 1];
        for (int i = 0; i < cp.length; i++) urls[i] = Path.of(cp[i]).toUri().toURL();
        urls[cp.length] = harness.getProtectionDomain().getCodeSource().getLocation();
        return new EngineLoader(urls, harness.getClassLoader()).loadClass(caseClass);
    }
}
