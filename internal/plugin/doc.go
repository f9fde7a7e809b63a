// Package plugin defines what a Sluice plugin is: a Spec that declares its
// name and parameters once, a constructor, and one small interface per kind
// (Input, Filter, Output). The engine drives plugins through these
// interfaces only; retries, queueing, backpressure and metrics live in the
// engine, never in a plugin.
//
// Parameters are declared as data (Param), in the spirit of Fluent Bit's
// config_map. Decode checks a configuration section against that
// declaration, reports every error at file:line with a hint, and hands the
// plugin a typed Config; `sluice validate` and the plugin reference come from
// the same declarations.
package plugin
