package dev.sluice.schema;

/**
 * One schema object a step added, dropped or altered: {@code kind} is {@code table}, {@code column}, {@code index} or
 * {@code trigger}; {@code before} is its definition before (null: added), {@code after} its definition after (null:
 * dropped). A table's definition is its column list; an index's or trigger's, its CREATE statement.
 */
public record SchemaEdit(String kind, String name, String before, String after) {
    @Override
    public String toString() {
        if (before == null) {
            return "+ " + kind + " " + name + (after.isEmpty() ? "" : " " + after);
        }
        if (after == null) {
            return "- " + kind + " " + name;
        }
        return "~ " + kind + " " + name + ": " + before + " → " + after;
    }
}
