package dev.sluice.console;

import dev.sluice.dsl.Session;
import java.nio.file.Path;

/** Runs inside an isolated class loader (as Surefire's or an IDE's would be) and reports what snippets saw. */
public final class IsolatedProbe {
    /** The host's tier, for snippets to compare against. */
    public static Object hostTier;

    private IsolatedProbe() {
    }

    public static String run(String workspace) {
        try (Session session = Session.open(Path.of(workspace))) {
            hostTier = session.tier("tier1");
            Transcript t = Transcript.run(session, """
                    System.out.println("same tier " + (tier1 == dev.sluice.console.IsolatedProbe.hostTier))
                    System.out.println("same loader " + (tier1.getClass().getClassLoader() == dev.sluice.console.IsolatedProbe.class.getClassLoader()))
                    """, dev.sluice.console.commands.StandardCommands.options());
            return t.out() + t.err() + "loader " + (IsolatedProbe.class.getClassLoader() == ClassLoader.getSystemClassLoader() ? "system" : "isolated");
        }
    }
}
