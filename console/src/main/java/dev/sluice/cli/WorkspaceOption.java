package dev.sluice.cli;

import java.nio.file.Path;
import picocli.CommandLine.Option;

/** The {@code -w/--workspace DIR} option shared by every command that works on a workspace. */
final class WorkspaceOption {
    @Option(names = {"-w", "--workspace"}, paramLabel = "DIR", description = "Workspace folder (default: the current folder).")
    Path dir = Path.of(".");

    public Path dir() {
        return dir;
    }
}
