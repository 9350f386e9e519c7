/**
 * The public DSL: {@link dev.sluice.dsl.Sluice} (static entry, imported by the console and playbooks) and
 * {@link dev.sluice.dsl.Session} (an open workspace). Sits above tiers, snapshots and data movement; must not know the
 * console, the CLI or the journal. Nothing here is JVM-wide: whoever owns a session binds it for the static DSL
 * ({@code Sluice.bind}, per thread and the threads it starts) and installs its gate and its event listener on it. {@code Sluice.varies(x)} only counts a mark on
 * the session; the console reads the count around each input to know that what the input showed cannot repeat.
 *
 * <p>Operators' surface: {@code Sluice}'s static calls and {@code Expectation}. {@code Session}, {@code NonTransactional} and the rest are wiring for the front ends, with no compatibility promise.
 */
package dev.sluice.dsl;
