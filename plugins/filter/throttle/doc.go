// Package throttle implements the throttle filter: it drops records beyond
// an average rate measured over a sliding window.
//
// # Fluent Bit parity
//
// Parameters and defaults are Fluent Bit's filter_throttle: Rate (1
// record), Window (5 intervals), Interval (1s) and Print_Status (off). The
// window holds one counter per Interval; a record passes while the
// window's total divided by Window is below Rate, so bursts up to
// Rate×Window pass when the window was quiet. The limit is shared by every
// tag the filter matches, as in Fluent Bit.
//
// Fluent Bit slides the window from a timer thread; Sluice slides it when
// a batch arrives, by the number of intervals elapsed since the last one,
// which is the same count without a goroutine. With Print_Status, the
// window's state is logged at info level once per elapsed interval in
// which records arrived.
package throttle
