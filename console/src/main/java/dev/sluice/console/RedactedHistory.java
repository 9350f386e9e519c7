package dev.sluice.console;

import dev.sluice.workspace.Redactor;
import dev.sluice.workspace.Secret;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import org.jline.reader.LineReader;
import org.jline.reader.impl.history.DefaultHistory;

/**
 * The console's line history ({@code .sluice_history}), redacted as journals are ({@link Redactor} with the
 * workspace's secrets): a password typed in a URL or a {@code password=} argument, or a configured secret's value, is
 * kept as {@code ****}, in memory and in the file. A history file written before this (or by hand) is rewritten
 * redacted when the console loads it. Answers to questions never reach it ({@link TerminalInput#confirm}).
 */
final class RedactedHistory extends DefaultHistory {
    private final List<Secret> secrets;
    /** True when the file being loaded held something redacted. */
    private boolean loadedSecrets;
    private LineReader reader;

    RedactedHistory(List<Secret> secrets) {
        this.secrets = List.copyOf(secrets);
    }

    @Override
    public void add(Instant time, String line) {
        super.add(time, Redactor.redact(line, secrets));
    }

    @Override
    protected void addHistoryLine(Path path, String line, boolean checkDuplicates) {
        // A file line is "millis:escaped text"; redacting the whole line leaves the time alone (it holds no secret).
        String redacted = Redactor.redact(line, secrets);
        loadedSecrets |= !redacted.equals(line);
        super.addHistoryLine(path, redacted, checkDuplicates);
    }

    @Override
    public void load() throws IOException {
        loadedSecrets = false;
        super.load();
        Path file = historyFile();
        if (loadedSecrets && file != null) {
            write(file, false); // the secret leaves the file too, not only this session's memory
        }
    }

    @Override
    public void attach(LineReader reader) {
        this.reader = reader; // before super.attach, which loads the file
        super.attach(reader);
    }

    private Path historyFile() {
        Object v = reader == null ? null : reader.getVariable(LineReader.HISTORY_FILE);
        return v instanceof Path p ? p : v == null ? null : Path.of(v.toString());
    }
}
