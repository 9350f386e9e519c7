package dev.sluice.console;

import dev.sluice.tier.Rows;
import org.jline.terminal.Terminal;

/**
 * How this console's results print ({@link Rows.Display}): the terminal's width read each time a result prints, so
 * tables follow a resized window (JLine reads the size from the terminal, which SIGWINCH has updated), and the mode
 * {@code /mode} chose. Bound on the console's input thread and on its JShell thread, whose snippet threads inherit it.
 */
final class ConsoleDisplay implements Rows.Display {
    /** Null in script mode: tables print at {@link Rows#DEFAULT_WIDTH}. */
    private final Terminal terminal;
    private volatile Rows.Mode mode = Rows.Mode.TABLE;

    ConsoleDisplay(Terminal terminal) {
        this.terminal = terminal;
    }

    @Override
    public int width() {
        int w = terminal == null ? 0 : terminal.getWidth();
        return w > 0 ? w : Rows.DEFAULT_WIDTH;
    }

    @Override
    public Rows.Mode mode() {
        return mode;
    }

    void mode(Rows.Mode m) {
        mode = m;
    }
}
