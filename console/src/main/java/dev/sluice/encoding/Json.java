package dev.sluice.encoding;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectReader;
import com.fasterxml.jackson.databind.ObjectWriter;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.module.SimpleModule;
import com.fasterxml.jackson.databind.ser.std.ToStringSerializer;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.time.Duration;

/**
 * The one JSON configuration. Written: compact (a journal line is one line), records with no property as {@code {}}
 * rather than refused mid-step, a {@link Duration} as ISO text ({@code PT1.5S}). Read: properties this version does
 * not know are ignored (a manifest, intent or lock file written by a newer Sluice still reads); a file a person
 * writes, where a misspelt key must be refused, is read with {@link #strictReader()}.
 */
public final class Json {
    private static final ObjectMapper MAPPER = configure(JsonMapper.builder()).build();

    private Json() {
    }

    private static <M extends ObjectMapper, B extends com.fasterxml.jackson.databind.cfg.MapperBuilder<M, B>> B configure(B b) {
        return b.disable(SerializationFeature.INDENT_OUTPUT)
                .disable(SerializationFeature.FAIL_ON_EMPTY_BEANS)
                .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
                .addModule(new SimpleModule("durations").addSerializer(Duration.class, ToStringSerializer.instance));
    }

    /** The shared mapper (thread-safe). Never reconfigure it: take a {@link #reader()} or {@link #writer()} with features instead. */
    public static ObjectMapper mapper() {
        return MAPPER;
    }

    public static ObjectReader reader() {
        return MAPPER.reader();
    }

    /** A reader that refuses unknown properties: for files people write (sluice.json). */
    public static ObjectReader strictReader() {
        return MAPPER.reader().with(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);
    }

    public static ObjectWriter writer() {
        return MAPPER.writer();
    }

    /** Indented, for files people read (workspace, snapshot manifests). */
    public static ObjectWriter pretty() {
        return MAPPER.writerWithDefaultPrettyPrinter();
    }

    /** The same configuration for YAML ({@code sluice.yaml}). */
    public static ObjectMapper yaml() {
        return configure(YAMLMapper.builder()).build();
    }
}
