package dev.sluice.console;

import dev.sluice.workspace.Secret;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import org.jline.reader.Candidate;
import org.jline.reader.CompletingParsedLine;
import org.jline.reader.EOFError;
import org.jline.reader.EndOfFileException;
import org.jline.reader.LineReader;
import org.jline.reader.LineReaderBuilder;
import org.jline.reader.ParsedLine;
import org.jline.reader.Parser;
import org.jline.reader.UserInterruptException;
import org.jline.terminal.Terminal;

/**
 * Interactive input through JLine: a prompt, persistent history per workspace (redacted, answers to questions left
 * out), multi-line input while JShell says the Java is incomplete, and {@link ConsoleCompleter} on Tab.
 */
final class TerminalInput implements InputSource {
    static final String PROMPT = "sluice> ";
    /** On sandbox copies: no one may take this prompt for the live tiers'. */
    static final String SANDBOX_PROMPT = "SANDBOX sluice> ";
    private final LineReader reader;
    private final String prompt;
    private final Console console;

    TerminalInput(Terminal terminal, Console console, ConsoleCompleter completer, Path historyFile, List<Secret> secrets, boolean sandbox) {
        this.console = console;
        this.prompt = sandbox ? SANDBOX_PROMPT : PROMPT;
        this.reader = LineReaderBuilder.builder()
                .appName("sluice")
                .terminal(terminal)
                .history(new RedactedHistory(secrets))
                .parser(new JavaParser(console, completer))
                .completer((r, line, candidates) -> {
                    if (line instanceof JavaLine jl && jl.completion != null) {
                        for (String c : jl.completion.candidates()) {
                            // Method names end with '(' and tables with a word char: only whole words get a space after.
                            candidates.add(new Candidate(c, c, null, null, null, null, false));
                        }
                        if (candidates.isEmpty() && jl.completion.note() != null) {
                            r.printAbove(jl.completion.note()); // a Tab that cannot answer yet says why, above the prompt
                        }
                    }
                })
                .variable(LineReader.HISTORY_FILE, historyFile)
                .variable(LineReader.HISTORY_SIZE, 2000)
                .variable(LineReader.SECONDARY_PROMPT_PATTERN, sandbox ? "SANDBOX  ...> " : "   ...> ")
                .option(LineReader.Option.DISABLE_EVENT_EXPANSION, true) // '!' is Java's not, not history
                .option(LineReader.Option.INSERT_BRACKET, false)
                .build();
        // JLine calls this once its own Ctrl-C handler is in place, before the first key is read. A Ctrl-C pressed since
        // the last read ended went to the console's handler, which had nothing to cancel: this read answers it now, as
        // a Ctrl-C at its prompt (the interrupt ends the read as JLine's own handler would have).
        this.reader.getWidgets().put(LineReader.CALLBACK_INIT, () -> {
            if (console.takeInterruptBetweenReads()) {
                Thread.currentThread().interrupt();
            }
            return true;
        });
    }

    @Override
    public String read() throws IOException {
        try {
            return reader.readLine(prompt);
        } catch (UserInterruptException e) {
            // The interrupt that ended the read was this Ctrl-C, now answered: JLine sets it again on its way out when
            // it came through its handler, and a flag left set would break the next wait (a rollback's join, a lock).
            Thread.interrupted();
            // Ctrl-C clears what was typed; at an empty prompt the console may have more to say (an open step).
            return e.getPartialLine().isEmpty() && console.promptInterrupted() ? null : "";
        } catch (EndOfFileException e) {
            return null;
        }
    }

    @Override
    public boolean confirm(String question) {
        // An answer is no input: a 'y' recalled with arrow-up at the next prompt, or saved in .sluice_history, helps no one.
        reader.setVariable(LineReader.DISABLE_HISTORY, true);
        try {
            String a = reader.readLine(question);
            return a != null && a.strip().toLowerCase(java.util.Locale.ROOT).startsWith("y");
        } catch (UserInterruptException e) {
            Thread.interrupted(); // this Ctrl-C was the answer (see read)
            return false;
        } catch (EndOfFileException e) {
            return false;
        } finally {
            reader.setVariable(LineReader.DISABLE_HISTORY, false);
        }
    }

    void saveHistory() {
        try {
            reader.getHistory().save();
        } catch (IOException e) {
            // history is a convenience: losing it must not fail the session
        }
    }

    /** Accepts a line only when JShell considers it complete; for Tab, asks the completer where the word starts. */
    private record JavaParser(Console console, ConsoleCompleter completer) implements Parser {
        @Override
        public ParsedLine parse(String line, int cursor, ParseContext context) {
            if (context == ParseContext.ACCEPT_LINE && !line.isBlank() && !InputSource.isCommand(line) && !console.complete(line)) {
                throw new EOFError(-1, cursor, "incomplete Java");
            }
            ConsoleCompleter.Completion c = context == ParseContext.COMPLETE ? completer.complete(line, cursor) : null;
            int start = c == null ? cursor : Math.min(c.start(), cursor);
            return new JavaLine(line, cursor, start, c);
        }
    }

    /** One buffer as JLine sees it: the word being completed is buffer[start, cursor). */
    private static final class JavaLine implements CompletingParsedLine {
        private final String line;
        private final int cursor;
        private final int start;
        final ConsoleCompleter.Completion completion;

        JavaLine(String line, int cursor, int start, ConsoleCompleter.Completion completion) {
            this.line = line;
            this.cursor = cursor;
            this.start = start;
            this.completion = completion;
        }

        @Override
        public String word() {
            return line.substring(start, cursor);
        }

        @Override
        public int wordCursor() {
            return cursor - start;
        }

        @Override
        public int wordIndex() {
            return 0;
        }

        @Override
        public List<String> words() {
            return List.of(word());
        }

        @Override
        public String line() {
            return line;
        }

        @Override
        public int cursor() {
            return cursor;
        }

        @Override
        public CharSequence escape(CharSequence candidate, boolean complete) {
            return candidate;
        }

        @Override
        public int rawWordCursor() {
            return wordCursor();
        }

        @Override
        public int rawWordLength() {
            return word().length();
        }
    }
}
