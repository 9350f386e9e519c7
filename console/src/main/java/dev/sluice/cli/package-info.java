/**
 * The {@code sluice} command line: picocli wiring and one class per subcommand, each a thin layer over the engine.
 * The top of the dependency graph: nothing else may depend on it. Signals live here too ({@code RunGuard},
 * {@code ConsoleGuard}: Ctrl-C, SIGTERM and SIGHUP end a run or an open console step cleanly, a shutdown hook catches an
 * exiting step); the engine only offers {@code PlaybookSession.cancel}. So do the front end's own texts: the help's
 * command list and exit statuses ({@code HelpSections}, from {@code ErrorCode}), {@code run --list}'s table and JSON
 * ({@code StepList}), and where step mode's answers come from when no terminal asks ({@code StepAnswers}).
 *
 * <p>Front end: the commands, their options and exit statuses are the promise; no Java type here is.
 */
package dev.sluice.cli;
