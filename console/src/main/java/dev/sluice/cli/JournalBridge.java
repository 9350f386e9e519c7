package dev.sluice.cli;

import dev.sluice.console.EvalListener;
import dev.sluice.error.SluiceException;
import dev.sluice.journal.Journal;
import dev.sluice.journal.Recording;

/** Tells the journal what the console evaluated: inputs, what each showed (as an observation when it is data), a summary of each output, errors. */
final class JournalBridge implements EvalListener {
    private final Journal journal;
    private final Recording recording;

    JournalBridge(Journal journal) {
        this(journal, null);
    }

    /** {@code recording}: asked before each input whether it must wait for the header's counts ({@link Recording#beforeInput()}). */
    JournalBridge(Recording recording) {
        this(recording.journal(), recording);
    }

    private JournalBridge(Journal journal, Recording recording) {
        this.journal = journal;
        this.recording = recording;
    }

    @Override
    public void input(Kind kind, String text) {
        if (kind == Kind.COMMAND && isQuiet(text)) {
            return;
        }
        if (recording != null) {
            recording.beforeInput(); // never waits: puts the plain busy timeout back once the header's counts are done
        }
        String t = text.strip();
        if (kind == Kind.COMMAND && (t.equals("/groovy") || t.startsWith("/groovy "))) {
            // Recorded as Groovy before it runs, so its observations follow it; the command's own later GROOVY report is dropped.
            journal.input("groovy", t.substring("/groovy".length()).strip());
            return;
        }
        if (kind == Kind.GROOVY) {
            return;
        }
        journal.input(switch (kind) {
            case JAVA -> "java";
            case GROOVY -> "groovy";
            case COMMAND -> "command";
        }, text);
    }

    /** Commands about the journal itself and leaving are not part of the procedure. */
    static boolean isQuiet(String text) {
        String t = text.strip();
        return t.startsWith("/journal") || t.startsWith("/record") || t.equals("/exit") || t.startsWith("/history") || t.startsWith("/help");
    }

    @Override
    public void shown(Object value, boolean marked) {
        journal.shown(value, marked);
    }

    @Override
    public void output(String summary) {
        journal.output(summary);
        if (recording != null) {
            recording.afterInput(); // start-up is over: the header's counts may begin
        }
    }

    @Override
    public void error(String line, Throwable error) {
        String kind = error instanceof SluiceException se ? se.kind() : error == null ? "Compile" : error.getClass().getSimpleName();
        journal.error(kind, line);
        if (recording != null) {
            recording.afterInput();
        }
    }
}
