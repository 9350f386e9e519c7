package dev.sluice.console;

/**
 * Everything the console evaluates goes through one place and is told here: what was typed, what came of it. The
 * journal subscribes through this interface; the console itself does not know who listens.
 */
public interface EvalListener {
    /** Where an input went. */
    enum Kind { JAVA, COMMAND, GROOVY }

    /** An input about to be evaluated: a complete Java snippet, a {@code /command} line, or Groovy code. */
    default void input(Kind kind, String text) {
    }

    /**
     * The object a successful input showed (a snippet's value, a /groovy result; null is a value too), before its
     * {@link #output}; {@code marked}: the input called {@code varies(...)}, so what it shows cannot repeat.
     */
    default void shown(Object value, boolean marked) {
    }

    /** What a successful input gave, as shown to the user (one value, or a short description). */
    default void output(String summary) {
    }

    /**
     * An input that failed: {@code line} is the one line shown ({@code Kind: message}); {@code error} the exception,
     * or null for a compile error (no exception object exists for those).
     */
    default void error(String line, Throwable error) {
    }
}
