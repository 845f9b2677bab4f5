package io.gantry.security;

import org.springframework.stereotype.Controller;
import org.springframework.web.bind.annotation.GetMapping;

/** The sign-in page; Spring Security's form login handles {@code POST /login}. */
@Controller
class LoginPageController {
    @GetMapping("/login")
    String login() {
        return "login";
    }
}
