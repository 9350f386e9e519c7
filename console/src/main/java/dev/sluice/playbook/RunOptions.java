package dev.sluice.playbook;

import java.util.LinkedHashMap;
import java.util.Map;

/** Mode, step selection (--start-at, --stop-after, --only; null for none) and parameter values from -p. */
public record RunOptions(RunMode mode, String startAt, String stopAfter, String only, Map<String, String> params) {
    public RunOptions {
        params = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(params == null ? Map.of() : params));
    }

    public static RunOptions of(RunMode mode) {
        return new RunOptions(mode, null, null, null, Map.of());
    }

    public boolean dryRun() {
        return mode == RunMode.DRY_RUN;
    }
}
