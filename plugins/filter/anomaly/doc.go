// Package anomaly implements the anomaly filter: it learns the record rate
// of each source (the tag, or a record key such as the pod name), and
// optionally the rate of its error-level records, and emits an alert record
// on its own tag when an interval's rate leaves the learned band — a
// sudden flood of logs or of errors, the signature of an incident, a
// crash loop or an attack, or (with Alert_On_Drop) a sudden fall.
//
// # The model
//
// Time is cut into intervals (Interval, 10 s). When an interval closes, its
// rate r is compared with the source's baseline: an exponentially weighted
// mean μ and variance σ² whose memory is Baseline_Window (30 min). The
// interval is a spike when r − μ > Min_Delta and (r − μ)/σ' > Sensitivity,
// where σ' = max(σ, √(μ/Interval), 1/Interval) — never below the Poisson
// noise of a rate measured over one interval, so a quiet source does not
// alert on a stray record. Spikes are not learned (an incident does not
// teach the baseline that incidents are normal), until Warmup of them come
// in a row: then the level has shifted and learning restarts from it. A
// source is judged only after Warmup intervals (30: five minutes).
//
// Intervals are closed when the source's next record arrives, by record
// time, so replays behave as live traffic did; a source that falls silent
// is judged when it next sends.
//
// # Measured
//
// On synthetic traffic (50 sources with Poisson rates from 0.5 to 500
// records/s over six simulated hours, spikes of 3× to 10× the base rate
// injected into 250 intervals), the defaults detect the injected spikes and
// raise false alerts on the rest at the rates printed by TestDetectionRates
// and recorded in BENCHMARKS.md.
package anomaly
