package io.gantry.security;

import io.gantry.web.UiController;
import org.springframework.security.core.Authentication;
import org.springframework.web.bind.annotation.ControllerAdvice;
import org.springframework.web.bind.annotation.ModelAttribute;

/** Gives every dashboard page the signed-in user ({@code me}) for its top bar and the actions its role allows. */
@ControllerAdvice(annotations = UiController.class)
class SignedInUserAdvice {
    private final GrantLookup grants;

    SignedInUserAdvice(GrantLookup grants) {
        this.grants = grants;
    }

    @ModelAttribute("me")
    UiUser me(Authentication authentication) {
        return authentication == null ? null : UiUser.of(authentication, grants);
    }
}
