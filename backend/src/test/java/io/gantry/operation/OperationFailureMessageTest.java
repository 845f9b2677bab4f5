package io.gantry.operation;

import static org.assertj.core.api.Assertions.assertThat;

import io.gantry.spi.EngineUnavailableException;
import io.gantry.spi.InvalidSpecException;
import io.gantry.spi.InvalidSpecException.FieldError;
import java.util.List;
import org.junit.jupiter.api.Test;

class OperationFailureMessageTest {

    @Test
    void listsEveryFieldTheEngineRejected() {
        var e = new InvalidSpecException("Marathon rejected '/e2e/bad': Object is not valid", List.of(
                new FieldError("spec.constraints[0]", "Constraint operator must be one of the following: [UNIQUE]"),
                new FieldError("spec.replicas", "must be 0 or more")));
        assertThat(OperationService.failureMessage(e)).isEqualTo("Marathon rejected '/e2e/bad': Object is not valid"
                + " (spec.constraints[0]: Constraint operator must be one of the following: [UNIQUE];"
                + " spec.replicas: must be 0 or more)");
    }

    @Test
    void keepsOtherFailuresAsTheEngineSaidThem() {
        assertThat(OperationService.failureMessage(new EngineUnavailableException("engine prod-k8s did not answer in 10s")))
                .isEqualTo("engine prod-k8s did not answer in 10s");
    }
}
