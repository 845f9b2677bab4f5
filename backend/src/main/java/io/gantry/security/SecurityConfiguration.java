package io.gantry.security;

import io.gantry.audit.AuditFilter;
import io.gantry.audit.AuditTrail;
import io.gantry.web.ProblemWriter;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.annotation.Order;
import org.springframework.security.authentication.AuthenticationManager;
import org.springframework.security.authentication.ProviderManager;
import org.springframework.security.authentication.dao.DaoAuthenticationProvider;
import org.springframework.security.config.ObjectPostProcessor;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.config.http.SessionCreationPolicy;
import org.springframework.security.crypto.bcrypt.BCryptPasswordEncoder;
import org.springframework.security.crypto.password.PasswordEncoder;
import org.springframework.security.web.SecurityFilterChain;
import org.springframework.security.web.authentication.ExceptionMappingAuthenticationFailureHandler;
import org.springframework.security.web.authentication.UsernamePasswordAuthenticationFilter;
import org.springframework.security.web.context.SecurityContextHolderFilter;
import org.springframework.security.web.csrf.CsrfFilter;
import org.springframework.security.web.csrf.CsrfTokenRepository;
import org.springframework.security.web.csrf.HttpSessionCsrfTokenRepository;
import org.springframework.security.web.access.intercept.AuthorizationFilter;
import org.springframework.security.web.header.HeaderWriterFilter;
import org.springframework.security.web.savedrequest.NullRequestCache;
import org.springframework.security.web.util.matcher.OrRequestMatcher;
import org.springframework.security.web.util.matcher.RequestMatcher;
import tools.jackson.databind.json.JsonMapper;

/**
 * Two filter chains, one rule table ({@link AccessRules}).
 * <ul>
 * <li>{@code /api/**} and {@code /actuator/**}: a bearer API token, or the browser's session cookie
 * (the UI's fetches and its SSE stream). Never creates a session. Session-borne changes need the CSRF
 * token and a same-origin Origin. Failures are problem+json: 401 with {@code WWW-Authenticate: Bearer},
 * 403 naming the role needed.</li>
 * <li>Everything else (the UI): form login at {@code /login} and sign-in with the configured identity providers
 * ({@link OidcLogin}), logout, CSRF, session id changed at
 * sign-in, sessions ending after {@code server.servlet.session.timeout} idle and
 * {@code gantry.security.session-absolute-timeout} in all.</li>
 * </ul>
 * Both chains write the audit trail of every mutation.
 */
@Configuration(proxyBeanMethods = false)
@EnableConfigurationProperties({GantrySecurityProperties.class, OidcProperties.class})
class SecurityConfiguration {
    private static final String CONTENT_SECURITY_POLICY =
            "frame-ancestors 'none'; form-action 'self'; base-uri 'self'; object-src 'none'";

    @Bean
    PasswordEncoder passwordEncoder(MeterRegistry registry) {
        return new CountedPasswordEncoder(new BCryptPasswordEncoder(), registry);
    }

    @Bean
    LoginThrottle loginThrottle() {
        return new LoginThrottle(Clock.systemUTC());
    }

    /**
     * The only AuthenticationManager: its presence also keeps Spring Boot from creating its
     * in-memory user with a generated password (no default password anywhere).
     */
    @Bean
    AuthenticationManager authenticationManager(UserAccounts users, PasswordEncoder passwords, LoginThrottle throttle,
            TwoFactor twoFactor, SecuritySettings settings, OidcProperties oidc) {
        DaoAuthenticationProvider dao = new DaoAuthenticationProvider(users);
        dao.setPasswordEncoder(passwords);
        return new ProviderManager(new PasswordLoginGate(new ThrottledAuthenticationProvider(dao, throttle,
                new SecondFactorCheck(twoFactor, settings)), settings, oidc));
    }

    /** Shared by both chains: the UI page's CSRF token is also what its API calls present. */
    @Bean
    CsrfTokenRepository csrfTokenRepository() {
        return new HttpSessionCsrfTokenRepository();
    }

    /** What both chains share: the rule table, the session filters, the audit trail, the headers. */
    @Bean
    SharedSecurity sharedSecurity(AuthenticationManager authenticationManager, CsrfTokenRepository csrf,
            UserAccountStore users, ProblemWriter problems, GantrySecurityProperties properties, AuditTrail audit,
            JsonMapper json, @Value("${server.servlet.session.timeout:30m}") Duration idle, TwoFactor twoFactor,
            SecuritySettings settings, GrantLookup grants) {
        return new SharedSecurity(authenticationManager, csrf, users, problems, properties, audit, json, idle,
                new EnrolmentFirstFilter(twoFactor, settings, problems), grants);
    }

    @Bean
    @Order(1)
    SecurityFilterChain apiSecurity(HttpSecurity http, SharedSecurity shared, ApiTokens tokens) throws Exception {
        ProblemAuthenticationEntryPoint unauthorized = new ProblemAuthenticationEntryPoint(shared.problems());
        shared.apply(http, new OrRequestMatcher(BearerTokens.SESSION_MUTATION, BearerTokens.COOKIE_UPGRADE))
                .securityMatcher("/api/**", "/actuator/**")
                .csrf(csrf -> csrf.csrfTokenRepository(shared.csrf())
                        .requireCsrfProtectionMatcher(BearerTokens.SESSION_MUTATION))
                .sessionManagement(s -> s.sessionCreationPolicy(SessionCreationPolicy.NEVER))
                .requestCache(cache -> cache.requestCache(new NullRequestCache()))
                .formLogin(form -> form.disable())
                .httpBasic(basic -> basic.disable())
                .logout(logout -> logout.disable())
                .exceptionHandling(e -> e.authenticationEntryPoint(unauthorized)
                        .accessDeniedHandler(new ProblemAccessDeniedHandler(shared.problems())))
                .addFilterBefore(new ApiTokenAuthenticationFilter(tokens, unauthorized),
                        UsernamePasswordAuthenticationFilter.class);
        return http.build();
    }

    @Bean
    @Order(2)
    SecurityFilterChain uiSecurity(HttpSecurity http, SharedSecurity shared, OidcClientRegistrations registrations,
            OidcAccounts accounts) throws Exception {
        ExceptionMappingAuthenticationFailureHandler failure = new ExceptionMappingAuthenticationFailureHandler();
        failure.setDefaultFailureUrl("/login?error");
        failure.setExceptionMappings(Map.of(LoginThrottledException.class.getName(), "/login?locked",
                SecondFactorRequiredException.class.getName(), "/login?code",
                PasswordLoginOffException.class.getName(), "/login?passwordOff"));
        new OidcLogin(registrations, accounts, new OidcSignInHandlers(shared.audit(), shared.json())).apply(http);
        shared.apply(http, BearerTokens.BROWSER_MUTATION)
                .csrf(csrf -> csrf.csrfTokenRepository(shared.csrf()))
                .formLogin(form -> form.loginPage("/login").failureHandler(failure).successHandler(new SignInRecorder())
                        .authenticationDetailsSource(SignInDetails::ofForm))
                .logout(logout -> logout.logoutUrl("/logout").logoutSuccessUrl("/login?logout")
                        .deleteCookies("JSESSIONID"))
                .sessionManagement(s -> s.sessionFixation(f -> f.changeSessionId()))
                .exceptionHandling(e -> e.authenticationEntryPoint((request, response, ex) -> response.sendRedirect(
                        request.getContextPath() + (request.getAttribute(SessionExpiryFilter.EXPIRED) != null
                                ? "/login?expired" : "/login"))));
        return http.build();
    }

    /**
     * The parts of both chains that must not differ. Its filters are created per chain and are no
     * beans, so that Spring Boot does not also register them as servlet filters for every request.
     */
    record SharedSecurity(AuthenticationManager authenticationManager, CsrfTokenRepository csrf,
            UserAccountStore users, ProblemWriter problems, GantrySecurityProperties properties, AuditTrail audit,
            JsonMapper json, Duration idle, EnrolmentFirstFilter enrolmentFirst, GrantLookup grants) {

        HttpSecurity apply(HttpSecurity http, RequestMatcher originChecked) throws Exception {
            return http.authenticationManager(authenticationManager)
                    .authorizeHttpRequests(rules -> AccessRules.apply(rules, grants))
                    .headers(h -> h.contentSecurityPolicy(csp -> csp.policyDirectives(CONTENT_SECURITY_POLICY))
                            .withObjectPostProcessor(new ObjectPostProcessor<HeaderWriterFilter>() {
                                // Before the chain, not after: a live stream's writer thread may already be
                                // committing the response while this request's thread unwinds, and Tomcat's
                                // headers are not safe to change from two threads (StreamLimitsIT saw the NPE)
                                @Override
                                public <O extends HeaderWriterFilter> O postProcess(O filter) {
                                    filter.setShouldWriteHeadersEagerly(true);
                                    return filter;
                                }
                            }))
                    .addFilterBefore(new SessionExpiryFilter(idle, properties.sessionAbsoluteTimeout(), Clock.systemUTC()),
                            SecurityContextHolderFilter.class)
                    .addFilterAfter(new AuditFilter(audit, json), SecurityContextHolderFilter.class)
                    .addFilterAfter(new SessionUserCheckFilter(users), HeaderWriterFilter.class)
                    .addFilterBefore(enrolmentFirst, AuthorizationFilter.class)
                    .addFilterBefore(new SameOriginFilter(originChecked, properties.allowedOrigins(), problems),
                            CsrfFilter.class);
        }
    }
}
