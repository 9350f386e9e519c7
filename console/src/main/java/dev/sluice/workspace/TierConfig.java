package dev.sluice.workspace;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * One tier with everything resolved: JDBC URL with workspace-relative paths made absolute and
 * {@code ${VAR}}s filled in, the password as a {@link Secret}, and the SQLite file when there is one.
 */
public record TierConfig(String name, String url, String user, Secret password,
                         Map<String, String> pragmas, boolean readOnly, boolean optional, boolean create, Path sqliteFile) {

    public Engine engine() {
        return Engine.ofUrl(url);
    }

    /** The URL fit to print: credentials removed. */
    public String displayUrl() {
        return Redactor.redact(url, password == null ? List.of() : List.of(password));
    }

    /** What to show a person: the file for SQLite, the redacted URL otherwise. */
    public String location() {
        return sqliteFile != null ? sqliteFile.toString() : displayUrl();
    }

    @Override
    public String toString() {
        return "TierConfig[" + name + " " + engine().label() + " " + location() + (readOnly ? " read-only" : "") + "]";
    }
}
