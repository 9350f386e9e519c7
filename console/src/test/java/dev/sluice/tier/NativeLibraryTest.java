package dev.sluice.tier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sluice.testing.TestWorkspaces;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The native library cache, in child JVMs (this JVM has loaded its library already): the first start extracts it once,
 * later starts load it from the cache, and a damaged cache is extracted again, with nothing printed but the status.
 */
class NativeLibraryTest {
    @TempDir
    Path tmp;

    @Test
    void extractedOnceThenLoadedFromTheCacheAndRepairedWhenDamaged() throws Exception {
        try (Tier t = TestWorkspaces.tier(tmp.resolve("ws"), "tier1")) {
            t.exec("CREATE TABLE items(id INTEGER PRIMARY KEY)");
        }
        Path cache = tmp.resolve("cache");

        Run first = status(cache);
        assertEquals(0, first.status, first.output);
        Path lib = library(cache);
        assertTrue(Files.size(lib) > 100_000, "the whole library is there: " + Files.size(lib));
        assertEquals(Long.toString(Files.size(lib)), Files.readString(lib.resolveSibling(lib.getFileName() + ".bytes")).strip());
        long extracted = Files.getLastModifiedTime(lib).toMillis();
        long size = Files.size(lib);

        Thread.sleep(20);
        Run second = status(cache);
        assertEquals(0, second.status, second.output);
        assertEquals(extracted, Files.getLastModifiedTime(lib).toMillis(), "the second start loaded the cached file as it was");

        Files.write(lib, new byte[4096]); // damaged: truncated to garbage
        Run third = status(cache);
        assertEquals(0, third.status, third.output);
        assertEquals(size, Files.size(library(cache)), "the damaged file was extracted again");
        assertTrue(third.output.startsWith("Workspace "), "nothing but the status is printed: " + third.output);
        assertTrue(third.output.contains("SQLite 3."), third.output);
    }

    private record Run(int status, String output) {
    }

    private Run status(Path cache) throws Exception {
        List<String> cmd = List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), "-Dorg.sqlite.tmpdir=" + cache,
                "dev.sluice.cli.Main", "status", "-w", tmp.resolve("ws").toString());
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "the child ended");
        return new Run(p.exitValue(), out);
    }

    private static Path library(Path cache) throws java.io.IOException {
        try (Stream<Path> s = Files.walk(cache)) {
            return s.filter(p -> p.getFileName().toString().equals(System.mapLibraryName("sqlitejdbc"))).findFirst()
                    .orElseThrow(() -> new AssertionError("no cached library under " + cache));
        }
    }
}
