package dev.sluice.data;

/**
 * What long data work reports while it runs: notes for the operator and progress. Engine code never prints; the front
 * end that owns the session (the console, the CLI) passes one of these and draws what it hears.
 */
public interface DataEvents {
    /** Hears nothing: the default for work started without a front end (tests, library use). */
    DataEvents NONE = new DataEvents() {
    };

    /** A line for the operator, e.g. a non-transactional change announced before it happens (a journal_mode switch). */
    default void note(String line) {
    }

    /**
     * Whether anyone watches progress started without {@code forced}: work that must count its rows before it starts
     * (a copy, a diff) asks first, so that nobody listening costs nothing.
     */
    default boolean listening() {
        return false;
    }

    /**
     * A task with a known size starts ({@code done} of {@code total} {@code unit} already done, as when a backfill
     * resumes). {@code forced} is true when the caller asked for progress explicitly ({@code progress: true}); otherwise
     * the listener shows it only where a person watches.
     */
    default Progress started(String task, String unit, long total, long done, boolean forced) {
        return Progress.NONE;
    }

    /** One running task's progress; closed when the task ends, however it ends. */
    interface Progress extends AutoCloseable {
        Progress NONE = new Progress() {
            @Override
            public void stepTo(long done) {
            }

            @Override
            public void close() {
            }
        };

        void stepTo(long done);

        @Override
        void close();
    }
}
