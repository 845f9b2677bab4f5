package io.gantry.security;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noMethods;

import com.tngtech.archunit.base.DescribedPredicate;
import com.tngtech.archunit.core.domain.JavaAnnotation;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchRule;
import java.util.Set;

/**
 * Access is decided in {@link AccessRules} and nowhere else: another filter chain or a security
 * annotation on a controller would be a rule that {@code RouteRulesIT} cannot see.
 */
@AnalyzeClasses(packages = "io.gantry", importOptions = ImportOption.DoNotIncludeTests.class)
class AccessInOnePlaceTest {
    private static final Set<String> METHOD_SECURITY = Set.of(
            "org.springframework.security.access.prepost.PreAuthorize",
            "org.springframework.security.access.prepost.PostAuthorize",
            "org.springframework.security.access.annotation.Secured",
            "jakarta.annotation.security.RolesAllowed",
            "jakarta.annotation.security.PermitAll",
            "org.springframework.security.config.annotation.method.configuration.EnableMethodSecurity");
    private static final DescribedPredicate<JavaAnnotation<?>> SECURITY_ANNOTATION = DescribedPredicate.describe(
            "a method-security annotation", a -> METHOD_SECURITY.contains(a.getRawType().getName()));

    @ArchTest
    static final ArchRule onlyTheSecurityPackageConfiguresHttpSecurity = noClasses()
            .that().resideOutsideOfPackage("io.gantry.security")
            .should().dependOnClassesThat().haveFullyQualifiedName(
                    "org.springframework.security.config.annotation.web.builders.HttpSecurity")
            .orShould().dependOnClassesThat().haveFullyQualifiedName(
                    "org.springframework.security.web.SecurityFilterChain")
            .orShould().dependOnClassesThat().haveFullyQualifiedName(
                    "org.springframework.security.config.annotation.web.configuration.WebSecurityCustomizer")
            .because("every route's access belongs in AccessRules, where RouteRulesIT checks it");

    @ArchTest
    static final ArchRule noSecurityAnnotationsOnMethods = noMethods().should().beAnnotatedWith(SECURITY_ANNOTATION)
            .because("a method annotation would be an access rule outside AccessRules");

    @ArchTest
    static final ArchRule noSecurityAnnotationsOnClasses = noClasses().should().beAnnotatedWith(SECURITY_ANNOTATION)
            .because("a class annotation would be an access rule outside AccessRules");
}
