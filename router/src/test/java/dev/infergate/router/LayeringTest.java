package dev.infergate.router;

import static com.tngtech.archunit.base.DescribedPredicate.not;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideInAPackage;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchRule;

/**
 * The router's package layering, checked on the compiled classes at every {@code mvn verify}.
 *
 * <p>Written as "no cycles" plus a few forbidden edges, not as a full layer table, so that a new
 * package ({@code shadow}, {@code rollout}, {@code cluster}, {@code tracing}) needs no change here:
 * it is covered by the cycle rule at once, and only a rule about it in particular needs a new line.
 */
@AnalyzeClasses(packages = "dev.infergate", importOptions = ImportOption.DoNotIncludeTests.class)
class LayeringTest {

  /** Every package of the router, e.g. {@code dev.infergate.router.config} with its subpackages. */
  private static final String AREAS = "dev.infergate.router.(*)..";

  @ArchTest
  static final ArchRule packagesHaveNoCycles = slices().matching(AREAS).should().beFreeOfCycles();

  /** Configuration is read by everyone and reads no one: records and their rules only. */
  @ArchTest
  static final ArchRule configDependsOnNoOtherPackage =
      noClasses()
          .that()
          .resideInAPackage("dev.infergate.router.config..")
          .should()
          .dependOnClassesThat(
              resideInAPackage("dev.infergate.router..")
                  .and(not(resideInAPackage("dev.infergate.router.config.."))))
          .because(
              "config is the bottom layer: a rule about a config value lives in its record (shared "
                  + "modules' value types, such as dev.infergate.telemetry.LogFormat, are below it)");

  /**
   * {@code RouterMain} and {@code RouterServer} wire the areas together; no area reaches back into
   * them.
   */
  @ArchTest
  static final ArchRule noAreaDependsOnTheWiring =
      noClasses()
          .that()
          .resideInAPackage(AREAS)
          .should()
          .dependOnClassesThat()
          .resideInAPackage("dev.infergate.router");

  /** The request path sits on top: admin and the other areas never reach into the proxy's steps. */
  @ArchTest
  static final ArchRule onlyTheWiringUsesTheProxy =
      noClasses()
          .that()
          .resideInAPackage(AREAS)
          .and()
          .resideOutsideOfPackage("dev.infergate.router.proxy..")
          .should()
          .dependOnClassesThat()
          .resideInAPackage("dev.infergate.router.proxy..");

  /** The shared listener rules know neither server. */
  @ArchTest
  static final ArchRule httpCommonKnowsNoServer =
      noClasses()
          .that()
          .resideInAPackage("dev.infergate.http..")
          .should()
          .dependOnClassesThat()
          .resideInAnyPackage("dev.infergate.router..", "dev.infergate.modelserver..");
}
