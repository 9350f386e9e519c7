package dev.sluice.report;

import dev.sluice.error.ErrorCode;
import dev.sluice.error.SluiceException;
import dev.sluice.journal.JournalFile;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/** Renders a journal (of a run, a replay or a console session) as a report: HTML when the file ends in .html, else Markdown. */
public final class Report {
    private Report() {
    }

    public static Path write(JournalFile journal, Path file) {
        String name = file.getFileName().toString().toLowerCase(Locale.ROOT);
        String text = name.endsWith(".html") || name.endsWith(".htm") ? html(journal) : markdown(journal);
        try {
            Path abs = file.toAbsolutePath();
            if (abs.getParent() != null) {
                Files.createDirectories(abs.getParent());
            }
            dev.sluice.workspace.PrivateFiles.write(abs, text); // a report shows what the journal holds: the owner's only
            return abs;
        } catch (IOException e) {
            throw new SluiceException(ErrorCode.IO, "Cannot write report " + file + ": " + e.getMessage() + ".", e);
        }
    }

    public static String markdown(JournalFile j) {
        return MarkdownReport.render(ReportContent.of(j));
    }

    public static String html(JournalFile j) {
        return HtmlReport.render(ReportContent.of(j));
    }
}
