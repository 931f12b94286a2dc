package dev.infergate.modelserver;

import static com.tngtech.archunit.base.DescribedPredicate.not;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideInAPackage;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchRule;

/**
 * The model server's package layering, checked on the compiled classes at every {@code mvn verify}:
 * {@code config} at the bottom; {@code batching} and {@code runtime} (the engine) below {@code
 * repository}; the wire ({@code protocol}, then {@code http}) on top; the wiring ({@code
 * ModelServer}, {@code ModelServerMain}) above all.
 *
 * <p>Written as "no cycles" plus a few forbidden edges, not as a full layer table, so that a new
 * package is covered by the cycle rule without a change here.
 */
@AnalyzeClasses(packages = "dev.infergate", importOptions = ImportOption.DoNotIncludeTests.class)
class LayeringTest {

  /**
   * Every package of the model server, e.g. {@code dev.infergate.modelserver.runtime} with its
   * subpackages.
   */
  private static final String AREAS = "dev.infergate.modelserver.(*)..";

  @ArchTest
  static final ArchRule packagesHaveNoCycles = slices().matching(AREAS).should().beFreeOfCycles();

  @ArchTest
  static final ArchRule configDependsOnNoOtherPackage =
      noClasses()
          .that()
          .resideInAPackage("dev.infergate.modelserver.config..")
          .should()
          .dependOnClassesThat(
              resideInAPackage("dev.infergate.modelserver..")
                  .and(not(resideInAPackage("dev.infergate.modelserver.config.."))))
          .because(
              "config is the bottom layer: a rule about a config value lives in its record (shared "
                  + "modules' value types, such as dev.infergate.telemetry.LogFormat, are below it)");

  @ArchTest
  static final ArchRule noAreaDependsOnTheWiring =
      noClasses()
          .that()
          .resideInAPackage(AREAS)
          .should()
          .dependOnClassesThat()
          .resideInAPackage("dev.infergate.modelserver");

  /** A protocol binding decodes and encodes; the HTTP layer calls it, never the other way round. */
  @ArchTest
  static final ArchRule protocolDoesNotDependOnHttp =
      noClasses()
          .that()
          .resideInAPackage("dev.infergate.modelserver.protocol..")
          .should()
          .dependOnClassesThat()
          .resideInAPackage("dev.infergate.modelserver.http..");

  /** The engine (batching, inference) knows neither the wire nor where models come from. */
  @ArchTest
  static final ArchRule engineDoesNotKnowTheWireOrTheRepository =
      noClasses()
          .that()
          .resideInAnyPackage(
              "dev.infergate.modelserver.batching..", "dev.infergate.modelserver.runtime..")
          .should()
          .dependOnClassesThat()
          .resideInAnyPackage(
              "dev.infergate.modelserver.http..",
              "dev.infergate.modelserver.protocol..",
              "dev.infergate.modelserver.repository..");

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
