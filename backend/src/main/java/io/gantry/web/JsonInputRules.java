package io.gantry.web;

import com.fasterxml.jackson.annotation.JsonSetter;
import com.fasterxml.jackson.annotation.Nulls;
import java.util.Map;
import org.springframework.boot.jackson.autoconfigure.JsonMapperBuilderCustomizer;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import tools.jackson.core.JsonParser;
import tools.jackson.databind.DeserializationContext;
import tools.jackson.databind.KeyDeserializer;
import tools.jackson.databind.deser.jdk.StringDeserializer;
import tools.jackson.databind.module.SimpleModule;

/**
 * What JSON the server refuses while reading it, so that the refusal names the field (a 400 from
 * {@link ProblemAdvice}) instead of failing deeper as a 500:
 * <ul>
 * <li>a string with a NUL character ({@code \u0000}): PostgreSQL stores no NUL in text or jsonb (a
 * workload's {@code engine} of {@code "\u0000"} failed in a query). Query parameters get the same
 * check in {@link MalformedRequestFilter}.</li>
 * <li>a {@code null} value in an object read as a map ({@code labels: {"a": null}}): the model's maps
 * are copied with {@code Map.copyOf}, which throws on it.</li>
 * </ul>
 */
@Configuration(proxyBeanMethods = false)
class JsonInputRules {
    static final String NUL_MESSAGE = "must not contain a NUL character (\\u0000)";

    @Bean
    SimpleModule noNulStrings() {
        SimpleModule module = new SimpleModule("gantry-no-nul-strings");
        module.addDeserializer(String.class, new NoNulStrings());
        module.addKeyDeserializer(String.class, new KeyDeserializer() {
            @Override
            public Object deserializeKey(String key, DeserializationContext ctxt) {
                return key.indexOf('\0') >= 0 ? ctxt.handleWeirdKey(String.class, key, NUL_MESSAGE) : key;
            }
        });
        return module;
    }

    @Bean
    JsonMapperBuilderCustomizer noNullMapValues() {
        return builder -> builder.withConfigOverride(Map.class,
                o -> o.setNullHandling(JsonSetter.Value.forContentNulls(Nulls.FAIL)));
    }

    private static final class NoNulStrings extends StringDeserializer {
        @Override
        public String deserialize(JsonParser p, DeserializationContext ctxt) {
            String value = super.deserialize(p, ctxt);
            if (value != null && value.indexOf('\0') >= 0) {
                return (String) ctxt.handleWeirdStringValue(String.class, value, NUL_MESSAGE);
            }
            return value;
        }
    }
}
