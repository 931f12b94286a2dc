/**
 * Telemetry both services share: the log format ({@link dev.infergate.telemetry.LogFormat}, JSON
 * lines through {@link dev.infergate.telemetry.JsonLogFormatter}) with the request and trace id of
 * the request being handled ({@link dev.infergate.telemetry.LogContext}).
 */
package dev.infergate.telemetry;
