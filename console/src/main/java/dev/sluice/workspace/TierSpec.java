package dev.sluice.workspace;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * How to reach one tier, as written in sluice.json: either a bare SQLite path ({@code "data/tier1.db"})
 * or an object with a JDBC {@code url}, optional {@code user}, {@code password}, {@code pragmas}, {@code readOnly}.
 * Values are as written (before {@code ${VAR}} interpolation); {@link Workspace} resolves them.
 */
@JsonInclude(JsonInclude.Include.NON_EMPTY)
public record TierSpec(
        @JsonProperty("url") String url,
        @JsonProperty("user") String user,
        @JsonProperty("password") String password,
        @JsonProperty("pragmas") Map<String, String> pragmas,
        @JsonProperty("readOnly") boolean readOnly,
        @JsonProperty("optional") boolean optional,
        @JsonProperty("create") boolean create) {

    public TierSpec {
        pragmas = pragmas == null ? Map.of() : java.util.Collections.unmodifiableMap(new LinkedHashMap<>(pragmas));
    }

    /** A bare string in sluice.json: a SQLite file path or a JDBC URL. */
    @JsonCreator(mode = JsonCreator.Mode.DELEGATING)
    public static TierSpec of(String pathOrUrl) {
        return new TierSpec(pathOrUrl, null, null, Map.of(), false, false, false);
    }

    @JsonCreator(mode = JsonCreator.Mode.PROPERTIES)
    public static TierSpec create(@JsonProperty("url") String url, @JsonProperty("path") String path,
                                  @JsonProperty("user") String user, @JsonProperty("password") String password,
                                  @JsonProperty("pragmas") Map<String, String> pragmas,
                                  @JsonProperty("readOnly") boolean readOnly, @JsonProperty("optional") boolean optional,
                                  @JsonProperty("create") boolean create) {
        return new TierSpec(url != null ? url : path, user, password, pragmas, readOnly, optional, create);
    }

    @JsonIgnore
    public boolean isJdbcUrl() {
        return url != null && url.startsWith("jdbc:");
    }

    @Override
    public String toString() {
        return "TierSpec[url=" + Redactor.redact(url) + ", user=" + user
                + (password == null ? "" : ", password=****") + ", readOnly=" + readOnly + "]";
    }
}
