package io.gantry.engine;

import java.util.List;
import java.util.Map;
import org.springframework.boot.context.properties.ConfigurationProperties;

/** Engines declared in configuration ({@code gantry.engines[...]}), for automation and compose. */
@ConfigurationProperties("gantry")
record DeclaredEngines(List<DeclaredEngine> engines) {
    DeclaredEngines {
        engines = engines == null ? List.of() : List.copyOf(engines);
    }

    record DeclaredEngine(String name, String kind, String endpoint, Map<String, String> labels,
                          Map<String, String> credentials, Map<String, String> options) {
        EngineRequest request() {
            return new EngineRequest(name, kind, endpoint, labels, credentials, options);
        }

        @Override
        public String toString() {
            return "DeclaredEngine[name=" + name + ", kind=" + kind + ", endpoint=" + endpoint + "]";
        }
    }
}
