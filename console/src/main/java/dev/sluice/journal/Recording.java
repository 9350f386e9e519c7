package dev.sluice.journal;

import dev.sluice.dsl.Session;
import dev.sluice.dsl.Sluice;
import dev.sluice.tier.Fingerprint;
import dev.sluice.tier.Tier;
import dev.sluice.tier.TierInternals;
import java.util.ArrayList;
import java.util.List;

/**
 * A journal attached to a session: it takes the workspace fingerprint for the header, listens to every tier's
 * observations while open, and writes the end event on close. The console and {@code sluice run} each hold one.
 */
public final class Recording implements AutoCloseable {
    private final Session session;
    private final Journal journal;
    private final List<Fingerprint> fingerprints;
    private int status;
    private String cancelled;

    private Recording(Session session, Journal journal, List<Fingerprint> fingerprints) {
        this.session = session;
        this.journal = journal;
        this.fingerprints = List.copyOf(fingerprints);
    }

    /** Starts recording {@code session} into its workspace's journal folder ({@code kind}: console, run, replay). */
    public static Recording start(Session session, String kind) {
        return start(session, kind, false);
    }

    /** As {@link #start(Session, String)}; {@code sandbox}: the session's tiers are sandbox copies, which the header records. */
    public static Recording start(Session session, String kind, boolean sandbox) {
        List<Fingerprint> fp = new ArrayList<>();
        for (Tier t : session.tiers()) {
            try {
                fp.add(t.fingerprint());
            } catch (dev.sluice.error.SluiceException e) {
                if (TierInternals.damage(t) == null) {
                    throw e;
                }
                // A damaged tier must not keep the console from starting: integrity() and restore are the way out.
                fp.add(Fingerprint.damaged(t.name(), t.engine().label(), t.engineVersion(), fileBytes(t)));
            }
        }
        Journal j = Journal.start(session.workspace().journalDir(), kind, Sluice.version(), session.workspace().dir(), fp,
                session.workspace().secrets(), sandbox);
        for (Tier t : session.tiers()) {
            TierInternals.addListener(t, j);
        }
        return new Recording(session, j, fp);
    }

    private static Long fileBytes(Tier t) {
        try {
            return t.file() == null ? null : java.nio.file.Files.size(t.file());
        } catch (java.io.IOException e) {
            return null;
        }
    }

    public Journal journal() {
        return journal;
    }

    /** The workspace as it was when recording began (the header's fingerprint), for whoever needs it without counting again. */
    public List<Fingerprint> fingerprints() {
        return fingerprints;
    }

    /** The exit status the end event will carry. */
    public void status(int s) {
        status = s;
    }

    /** Marks the session as cancelled (by a signal's name): the end event says so. */
    public void cancelled(String why) {
        cancelled = why;
    }

    @Override
    public void close() {
        for (Tier t : session.tiers()) {
            TierInternals.removeListener(t, journal);
        }
        journal.end(status, cancelled);
    }
}
