package io.gantry.security;

import io.swagger.v3.oas.models.Components;
import io.swagger.v3.oas.models.security.SecurityRequirement;
import io.swagger.v3.oas.models.security.SecurityScheme;
import org.springdoc.core.customizers.OpenApiCustomizer;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * Tells the OpenAPI document (and so Swagger UI's "Authorize" button) that the API takes a bearer
 * token. A customizer rather than an {@code OpenAPI} bean, so it adds to whatever document
 * description the rest of the application defines.
 */
@Configuration(proxyBeanMethods = false)
class ApiDocsSecurity {
    static final String SCHEME = "bearerToken";

    @Bean
    OpenApiCustomizer bearerTokenScheme() {
        return openApi -> {
            if (openApi.getComponents() == null) {
                openApi.setComponents(new Components());
            }
            openApi.getComponents().addSecuritySchemes(SCHEME, new SecurityScheme().type(SecurityScheme.Type.HTTP)
                    .scheme("bearer").description("An API token: POST /api/v1/auth/token, POST /api/v1/tokens, "
                            + "or GANTRY_BOOTSTRAP_TOKEN."));
            openApi.addSecurityItem(new SecurityRequirement().addList(SCHEME));
        };
    }
}
