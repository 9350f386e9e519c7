package dev.sluice.console;

import java.net.MalformedURLException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import jdk.jshell.execution.LoaderDelegate;
import jdk.jshell.spi.ExecutionControl.ClassBytecodes;
import jdk.jshell.spi.ExecutionControl.ClassInstallException;
import jdk.jshell.spi.ExecutionControl.EngineTerminationException;
import jdk.jshell.spi.ExecutionControl.InternalException;

/**
 * Loads JShell's snippet classes in a child of the DSL's own class loader, so snippets see the host's classes (one
 * {@code Sluice}, with the session the console bound, the same {@code Tier} objects) however the host was launched. JDK 17's
 * {@code DefaultLoaderDelegate} is package-private and always parents on the system loader (DESIGN.md §9).
 */
final class SharedLoaderDelegate implements LoaderDelegate {
    private final SnippetLoader loader;
    private final Map<String, Class<?>> classes = new HashMap<>();

    SharedLoaderDelegate(ClassLoader parent) {
        this.loader = new SnippetLoader(parent);
    }

    ClassLoader loader() {
        return loader;
    }

    @Override
    public void load(ClassBytecodes[] cbcs) throws ClassInstallException {
        boolean[] loaded = new boolean[cbcs.length];
        try {
            for (ClassBytecodes cbc : cbcs) {
                loader.declare(cbc.name(), cbc.bytecodes());
            }
            for (int i = 0; i < cbcs.length; i++) {
                Class<?> c = loader.loadClass(cbcs[i].name());
                classes.put(cbcs[i].name(), c);
                loaded[i] = true;
                c.getDeclaredMethods(); // prepare now, as JShell's own delegate does
            }
        } catch (Throwable e) {
            throw new ClassInstallException("load: " + e.getMessage(), loaded);
        }
    }

    @Override
    public void classesRedefined(ClassBytecodes[] cbcs) {
        for (ClassBytecodes cbc : cbcs) {
            loader.declare(cbc.name(), cbc.bytecodes());
        }
    }

    @Override
    public void addToClasspath(String path) throws EngineTerminationException, InternalException {
        try {
            for (String p : path.split(java.io.File.pathSeparator)) {
                loader.addURL(Path.of(p).toUri().toURL());
            }
        } catch (MalformedURLException e) {
            throw new InternalException("Bad class path entry " + path + ": " + e.getMessage());
        }
    }

    @Override
    public Class<?> findClass(String name) throws ClassNotFoundException {
        Class<?> c = classes.get(name);
        return c != null ? c : loader.loadClass(name);
    }

    /** Defines snippet classes from the bytes JShell's compiler hands over; everything else comes from the parent. */
    private static final class SnippetLoader extends URLClassLoader {
        private final Map<String, byte[]> declared = new HashMap<>();

        SnippetLoader(ClassLoader parent) {
            super(new URL[0], parent);
        }

        synchronized void declare(String name, byte[] bytes) {
            declared.put(name, bytes);
        }

        @Override
        protected Class<?> findClass(String name) throws ClassNotFoundException {
            byte[] b;
            synchronized (this) {
                b = declared.get(name);
            }
            return b == null ? super.findClass(name) : defineClass(name, b, 0, b.length);
        }

        @Override
        protected void addURL(URL url) {
            super.addURL(url);
        }
    }
}
