package dev.sluice.dsl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sluice.error.SluiceException;
import dev.sluice.testing.TestWorkspaces;
import dev.sluice.tier.Rows;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Issue 15 (explicit wiring): the DSL's session and the print width belong to whoever bound them, never to the JVM. */
class SessionBindingTest {
    @TempDir
    Path dir;

    @Test
    void twoOwnersInOneJvmEachSeeTheirOwnSession() throws Exception {
        Path a = Files.createDirectories(dir.resolve("a"));
        Path b = Files.createDirectories(dir.resolve("b"));
        TestWorkspaces.tier(a, "tier1").close();
        TestWorkspaces.tier(b, "tier1").close();
        try (Session sa = Session.open(a); Session sb = Session.open(b)) {
            CountDownLatch bothBound = new CountDownLatch(2);
            AtomicReference<Session> seenByB = new AtomicReference<>();
            CompletableFuture<Void> other = CompletableFuture.runAsync(() -> {
                try (Sluice.Binding bound = Sluice.bind(sb)) {
                    bothBound.countDown();
                    await(bothBound);
                    seenByB.set(Sluice.session());
                }
            }, r -> new Thread(r).start());
            try (Sluice.Binding bound = Sluice.bind(sa)) {
                bothBound.countDown();
                await(bothBound);
                other.get();
                assertSame(sa, Sluice.session(), "B's binding did not replace A's");
                AtomicReference<Session> child = new AtomicReference<>();
                Thread t = new Thread(() -> child.set(Sluice.session())); // as JShell runs a snippet: a thread started by the owner's
                t.start();
                t.join();
                assertSame(sa, child.get(), "threads the owner starts inherit its session");
            }
            assertSame(sb, seenByB.get());
            SluiceException none = assertThrows(SluiceException.class, Sluice::session);
            assertTrue(none.getMessage().startsWith("No workspace is open."), none.getMessage());
        }
    }

    @Test
    void aDisplayWidthIsTheBindingThreadsOnly() throws Exception {
        AtomicReference<Integer> elsewhere = new AtomicReference<>();
        Thread unrelated = new Thread(() -> elsewhere.set(Rows.displayWidth()));
        try (Rows.DisplayBinding narrow = Rows.bindDisplayWidth(60)) {
            assertEquals(60, Rows.displayWidth());
            unrelated.start(); // created before the binding: not the printer's thread
            unrelated.join();
        }
        assertEquals(Rows.DEFAULT_WIDTH, elsewhere.get());
        assertEquals(Rows.DEFAULT_WIDTH, Rows.displayWidth());
    }

    private static void await(CountDownLatch latch) {
        try {
            latch.await();
        } catch (InterruptedException e) {
            throw new IllegalStateException(e);
        }
    }
}
