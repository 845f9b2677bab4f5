package io.gantry.exec;

import java.nio.file.Path;
import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * How consoles and commands in instances are bounded ({@code gantry.exec.*}).
 *
 * @param idleTimeout     a console with neither input nor output this long is closed
 * @param perUser         open sessions (consoles and runs) of one user on one replica; past it a 429 problem
 * @param outputLimit     bytes of output a run ({@code POST .../exec}) answers with; the rest is dropped
 * @param defaultTimeout  how long a run may take when the request names no {@code timeoutSeconds}
 * @param maxTimeout      the longest {@code timeoutSeconds} a run may ask for
 * @param record          whether console output is written to an asciicast file ADMINs can replay
 * @param recordingDir    where those files go (one per session, named by the session's id)
 * @param recordingLimit  bytes of output one recording keeps; past it the file says so and stops growing
 */
@ConfigurationProperties("gantry.exec")
record ExecSettings(Duration idleTimeout, Integer perUser, Integer outputLimit, Duration defaultTimeout,
                    Duration maxTimeout, Boolean record, Path recordingDir, Long recordingLimit) {
    ExecSettings {
        idleTimeout = idleTimeout == null ? Duration.ofMinutes(15) : idleTimeout;
        perUser = perUser == null || perUser < 1 ? 4 : perUser;
        outputLimit = outputLimit == null || outputLimit < 1 ? 1024 * 1024 : outputLimit;
        defaultTimeout = defaultTimeout == null ? Duration.ofSeconds(30) : defaultTimeout;
        maxTimeout = maxTimeout == null ? Duration.ofMinutes(5) : maxTimeout;
        record = record != null && record;
        recordingDir = recordingDir == null ? Path.of("data", "exec-recordings") : recordingDir;
        recordingLimit = recordingLimit == null || recordingLimit < 1 ? 64L * 1024 * 1024 : recordingLimit;
    }
}
