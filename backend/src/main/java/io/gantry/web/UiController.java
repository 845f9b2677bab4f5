package io.gantry.web;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.springframework.core.annotation.AliasFor;
import org.springframework.stereotype.Controller;

/**
 * A dashboard page controller (HTML), as opposed to a {@code @RestController} under {@code /api}:
 * {@link PageAdvice} renders its failures as an HTML error page instead of a problem, and security
 * gives its templates the signed-in user.
 */
@Target(ElementType.TYPE)
@Retention(RetentionPolicy.RUNTIME)
@Documented
@Controller
public @interface UiController {
    @AliasFor(annotation = Controller.class)
    String value() default "";
}
