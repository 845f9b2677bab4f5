package io.gantry.json;

import io.gantry.spi.HealthCheck;
import java.util.Locale;
import org.springframework.boot.jackson.autoconfigure.JsonMapperBuilderCustomizer;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import tools.jackson.core.JsonGenerator;
import tools.jackson.databind.MapperFeature;
import tools.jackson.databind.SerializationContext;
import tools.jackson.databind.module.SimpleModule;
import tools.jackson.databind.ser.std.StdSerializer;

/**
 * JSON of the model as API.md writes it: enums are read case-insensitively, and the health check
 * type is written lower-case ({@code http|tcp|command}) while phases and kinds stay upper-case; a secret
 * reference is its components only.
 */
@Configuration(proxyBeanMethods = false)
class ModelJsonConfiguration {

    @Bean
    JsonMapperBuilderCustomizer caseInsensitiveEnums() {
        return builder -> builder.enable(MapperFeature.ACCEPT_CASE_INSENSITIVE_ENUMS);
    }

    @Bean
    SimpleModule gantryModelModule() {
        SimpleModule module = new SimpleModule("gantry-model");
        module.addSerializer(HealthCheck.Type.class, new StdSerializer<>(HealthCheck.Type.class) {
            @Override
            public void serialize(HealthCheck.Type value, JsonGenerator gen, SerializationContext ctx) {
                gen.writeString(value.name().toLowerCase(Locale.ROOT));
            }
        });
        return module;
    }
}
