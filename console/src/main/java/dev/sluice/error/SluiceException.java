package dev.sluice.error;

/**
 * The one unchecked root exception. Its message is a single line that says what happened, where,
 * and what to do next; front ends print {@code getMessage()} and nothing else unless asked to be verbose.
 */
public class SluiceException extends RuntimeException {
    private final ErrorCode code;

    public SluiceException(ErrorCode code, String message) {
        super(message);
        this.code = code;
    }

    public SluiceException(ErrorCode code, String message, Throwable cause) {
        super(message, cause);
        this.code = code;
    }

    public ErrorCode code() {
        return code;
    }

    /** A short kind for the console's {@code Kind: message} line, e.g. "Snapshot" for SNAPSHOT. */
    public String kind() {
        String n = code.name().toLowerCase(java.util.Locale.ROOT).replace('_', ' ');
        return Character.toUpperCase(n.charAt(0)) + n.substring(1);
    }
}
