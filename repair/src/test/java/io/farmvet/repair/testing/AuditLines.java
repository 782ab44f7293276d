package io.farmvet.repair.testing;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Reads an audit log back. */
public final class AuditLines {
    private AuditLines() {}

    /** Parses JSON lines into maps: numbers as longs, arrays as lists of strings. */
    public static List<Map<String, Object>> parse(Path file) throws IOException {
        JsonFactory json = new JsonFactory();
        List<Map<String, Object>> lines = new ArrayList<>();
        for (String line : Files.readAllLines(file)) {
            Map<String, Object> fields = new LinkedHashMap<>();
            try (JsonParser parser = json.createParser(line)) {
                assertThat(parser.nextToken()).isEqualTo(JsonToken.START_OBJECT);
                while (parser.nextToken() == JsonToken.FIELD_NAME) {
                    String name = parser.currentName();
                    JsonToken value = parser.nextToken();
                    if (value == JsonToken.START_ARRAY) {
                        List<String> items = new ArrayList<>();
                        while (parser.nextToken() != JsonToken.END_ARRAY) {
                            items.add(parser.getText());
                        }
                        fields.put(name, items);
                    } else if (value == JsonToken.VALUE_NUMBER_INT) {
                        fields.put(name, parser.getLongValue());
                    } else {
                        fields.put(name, parser.getText());
                    }
                }
                assertThat(parser.nextToken()).isNull();
            }
            lines.add(fields);
        }
        return lines;
    }
}
