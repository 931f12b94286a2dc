package dev.infergate.modelserver.training;

import java.util.function.Supplier;
import org.tribuo.Trainer;
import org.tribuo.classification.Label;

/**
 * How one served version of the model is trained.
 *
 * @param version the repository version directory ({@code iris/<version>/model.onnx})
 * @param description one line for people: the ONNX doc string and the tool's output
 * @param trainer makes a fresh trainer; a fresh one per run because Tribuo trainers advance their
 *     seeded RNG on every {@code train} call, and a reused one would not repeat itself
 */
record ModelRecipe(int version, String description, Supplier<Trainer<Label>> trainer) {}
