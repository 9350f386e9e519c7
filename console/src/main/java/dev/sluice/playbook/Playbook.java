package dev.sluice.playbook;

import dev.sluice.error.ErrorCode;
import dev.sluice.error.SluiceException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A loaded playbook: where it came from, its title and description, the tiers it needs, its parameters with their
 * defaults, and its steps in order. {@code id} (the file name without {@code .groovy}) is what history rows name, so
 * running the same file from another folder finds the same history. {@code requires} are the playbook's own
 * precondition blocks (each step has its own too).
 */
public record Playbook(Path file, String displayPath, String id, String title, String description, List<TierNeed> tiers,
                       Map<String, Param> params, List<Step> steps, Binder binder, List<Requires> requires) {
    public Playbook {
        tiers = List.copyOf(tiers);
        requires = requires == null ? List.of() : List.copyOf(requires);
        params = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(params));
        steps = List.copyOf(steps);
    }

    public Playbook(Path file, String displayPath, String id, String title, String description, List<TierNeed> tiers,
                    Map<String, Param> params, List<Step> steps, Binder binder) {
        this(file, displayPath, id, title, description, tiers, params, steps, binder, List.of());
    }

    /** A tier the playbook names; a missing optional one is bound as null. */
    public record TierNeed(String name, boolean optional) {
    }

    /** A parameter and its default ({@code required} when it has none and must come from {@code -p name=value}). */
    public record Param(String name, Object defaultValue, boolean required) {
    }

    /** Binds names (tiers, parameters) where the step bodies will see them; the Groovy loader supplies it. */
    public interface Binder {
        void bind(String name, Object value);
    }

    public Step step(String name) {
        return steps.stream().filter(s -> s.name().equals(name)).findFirst().orElseThrow(() -> new SluiceException(ErrorCode.USAGE,
                "No step '" + name + "' in " + displayPath + ". Steps: " + String.join(", ", steps.stream().map(s -> "'" + s.name() + "'").toList())
                        + "."));
    }
}
