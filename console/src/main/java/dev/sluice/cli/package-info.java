/**
 * The {@code sluice} command line: picocli wiring and one class per subcommand, each a thin layer over the engine.
 * The top of the dependency graph: nothing else may depend on it.
 */
package dev.sluice.cli;
