package io.gantry.security;

import java.util.List;
import org.springframework.stereotype.Controller;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.GetMapping;

/**
 * The sign-in page: the password form (while an ADMIN leaves it on) and a "Sign in with ..." link per identity
 * provider. Spring Security handles {@code POST /login} and the providers' flows.
 */
@Controller
class LoginPageController {
    private final OidcClientRegistrations oidc;
    private final SecuritySettings settings;
    private final OidcProperties properties;

    LoginPageController(OidcClientRegistrations oidc, SecuritySettings settings, OidcProperties properties) {
        this.properties = properties;
        this.oidc = oidc;
        this.settings = settings;
    }

    /** @param href where the link starts the provider's sign-in */
    record ProviderLink(String name, String href) {
    }

    @GetMapping("/login")
    String login(Model model) {
        List<ProviderLink> providers = oidc.providers().stream()
                .map(p -> new ProviderLink(p.displayName(), "/oauth2/authorization/" + p.id())).toList();
        model.addAttribute("providers", providers);
        model.addAttribute("passwordLogin", PasswordLoginGate.on(settings, properties));
        return "login";
    }
}
