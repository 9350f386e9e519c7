package dev.sluice.console;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.sluice.demo.DemoWorkspace;
import java.io.File;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * DESIGN.md §9: under an isolated class loader (Surefire without the system loader, IDEs) JShell's default local engine
 * loads a second copy of the DSL with its own statics. Ours must share the host's: same Tier object, same loader.
 */
class IsolatedClassLoaderTest {
    @TempDir
    Path dir;

    @Test
    void snippetsShareTheHostsObjectsUnderAnIsolatedClassLoader() throws Exception {
        Path ws = dir.resolve("demo");
        DemoWorkspace.create(ws);
        List<URL> urls = new ArrayList<>();
        for (String p : System.getProperty("java.class.path").split(File.pathSeparator)) {
            urls.add(Path.of(p).toUri().toURL());
        }
        // Same classes, but not from the system loader: the DSL exists twice in this JVM, as under Surefire isolation.
        try (URLClassLoader isolated = new URLClassLoader(urls.toArray(URL[]::new), ClassLoader.getPlatformClassLoader())) {
            Class<?> probe = isolated.loadClass(IsolatedProbe.class.getName());
            String report = (String) probe.getMethod("run", String.class).invoke(null, ws.toString());
            assertEquals("same tier true\nsame loader true\nloader isolated", report);
        }
    }
}
