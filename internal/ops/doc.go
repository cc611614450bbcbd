// Package ops makes the services observable and operable: Prometheus
// metrics, liveness and readiness checks, and one log line per call. A
// process has one Registry; each service takes a Service view of it, whose
// series carry a service label ("mgmt", "im"). Serve exposes the registry
// on the operations listener (/metrics, /healthz, /readyz), separate from
// the services' own listeners and on loopback unless configured otherwise.
//
// The series are documented in docs/OPERATIONS.md; their names and labels
// are a stable interface, like the JSON of the commands.
package ops
