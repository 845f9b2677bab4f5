package io.gantry.workload;

import java.util.ArrayList;
import java.util.List;
import tools.jackson.core.JsonParser;
import tools.jackson.core.JsonToken;
import tools.jackson.databind.json.JsonMapper;

/**
 * The env keys of a spec kept as JSON text, read with the streaming parser: it stops at the end of
 * {@code env}, which the mapper writes fourth (after image, command and args), and builds no tree.
 * This is what lets the list stay a copy of the stored text for OPERATORs (it only has to know
 * whether a row holds secret-looking keys, to audit the read) and parse a row for VIEWERs only when
 * it has something to mask.
 */
final class EnvKeys {
    private EnvKeys() {
    }

    static List<String> of(JsonMapper json, String specJson) {
        if (specJson == null || specJson.isEmpty()) {
            return List.of();
        }
        try (JsonParser p = json.createParser(specJson)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                return List.of();
            }
            while (p.nextToken() == JsonToken.PROPERTY_NAME) {
                String name = p.currentName();
                JsonToken value = p.nextToken();
                if (name.equals("env") && value == JsonToken.START_OBJECT) {
                    List<String> keys = new ArrayList<>();
                    while (p.nextToken() == JsonToken.PROPERTY_NAME) {
                        keys.add(p.currentName());
                        p.nextToken();
                        p.skipChildren();
                    }
                    return keys;
                }
                p.skipChildren();
            }
        }
        return List.of();
    }
}
