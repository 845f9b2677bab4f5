package io.gantry.secret;

import java.nio.file.Path;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

@Configuration(proxyBeanMethods = false)
class SecretConfiguration {
    @Bean
    SecretKeys secretKeys(@Value("${gantry.secret-key:}") String configured, @Value("${gantry.data-dir}") Path dataDir) {
        return SecretKeys.load(configured, dataDir);
    }
}
