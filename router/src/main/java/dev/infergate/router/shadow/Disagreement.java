package dev.infergate.router.shadow;

/**
 * One shadowed request whose answers disagreed, kept for ops to look at.
 *
 * @param requestId the request's {@code x-request-id} (both answers carry it, as do both servers'
 *     logs)
 * @param atMillis wall-clock time of the comparison, epoch milliseconds
 * @param reason the first difference found, e.g. {@code output 'label' element 0: "virginica" vs
 *     "versicolor"}
 */
public record Disagreement(
    String requestId, String liveTrack, String shadowTrack, long atMillis, String reason) {}
