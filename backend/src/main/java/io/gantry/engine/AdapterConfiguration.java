package io.gantry.engine;

import io.gantry.spi.EngineAdapter;
import java.util.ServiceLoader;
import org.springframework.beans.factory.config.ConfigurableListableBeanFactory;
import org.springframework.beans.factory.support.BeanDefinitionRegistry;
import org.springframework.beans.factory.support.BeanDefinitionRegistryPostProcessor;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * Adapters are plain jars on the classpath without Spring: each is found through
 * {@link ServiceLoader} and registered as a singleton bean, so that the rest of the server
 * injects {@code List<EngineAdapter>} like any other bean.
 */
@Configuration(proxyBeanMethods = false)
class AdapterConfiguration {

    @Bean
    static BeanDefinitionRegistryPostProcessor engineAdapterRegistrar() {
        return new BeanDefinitionRegistryPostProcessor() {
            @Override
            public void postProcessBeanDefinitionRegistry(BeanDefinitionRegistry registry) {
                // singletons are registered in postProcessBeanFactory, where the factory accepts instances
            }

            @Override
            public void postProcessBeanFactory(ConfigurableListableBeanFactory factory) {
                for (EngineAdapter adapter : ServiceLoader.load(EngineAdapter.class, AdapterConfiguration.class.getClassLoader())) {
                    String name = "engineAdapter:" + adapter.kind();
                    if (!factory.containsSingleton(name)) {
                        factory.registerSingleton(name, adapter);
                    }
                }
            }
        };
    }
}
