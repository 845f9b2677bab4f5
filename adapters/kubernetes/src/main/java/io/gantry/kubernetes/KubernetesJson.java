package io.gantry.kubernetes;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.TypeAdapter;
import com.google.gson.stream.JsonReader;
import com.google.gson.stream.JsonToken;
import com.google.gson.stream.JsonWriter;
import io.kubernetes.client.openapi.JSON;
import java.io.IOException;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;

/**
 * The JSON codec client-java uses, made tolerant of fields it does not know.
 *
 * <p>client-java's generated models throw on any field missing from their OpenAPI schema
 * (OpenAPITools/openapi-generator#12550): an API server one minor version newer than the client
 * would break every list call. This codec deserializes the same model classes with plain
 * reflection, so unknown fields are ignored as {@code kubectl} ignores them. client-java keeps its
 * codec in a static field ({@code JSON.setGson} would change it for every client in the JVM), so it
 * is not installed there: {@link KubernetesApi} and {@link KubernetesWatch} read every answer and
 * watch line of Gantry's clients with it. Request bodies are still written by client-java's codec,
 * which is right for writing (it only fails on reading fields it does not know).
 */
final class KubernetesJson {
    private static final DateTimeFormatter RFC3339 = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss'Z'");
    private static final Gson GSON = new GsonBuilder()
            .registerTypeAdapter(OffsetDateTime.class, new TimeAdapter())
            .registerTypeAdapter(byte[].class, new JSON.ByteArrayAdapter())
            .create();

    private KubernetesJson() {
    }

    static Gson gson() {
        return GSON;
    }

    static <T> T parse(String json, Class<T> type) {
        return GSON.fromJson(json, type);
    }

    /** RFC 3339 times as the API server writes them ({@code 2019-08-30T20:43:05Z}, fractions allowed). */
    private static final class TimeAdapter extends TypeAdapter<OffsetDateTime> {
        @Override
        public void write(JsonWriter out, OffsetDateTime value) throws IOException {
            if (value == null) {
                out.nullValue();
            } else {
                out.value(RFC3339.format(value.withOffsetSameInstant(ZoneOffset.UTC)));
            }
        }

        @Override
        public OffsetDateTime read(JsonReader in) throws IOException {
            if (in.peek() == JsonToken.NULL) {
                in.nextNull();
                return null;
            }
            String text = in.nextString();
            return text.isEmpty() ? null : OffsetDateTime.parse(text);
        }
    }
}
