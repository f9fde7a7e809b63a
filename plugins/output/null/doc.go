// Package null implements the null output: it accepts every chunk and
// discards it. The engine still counts the records as delivered, which makes
// null the output of choice for measuring inputs and filters, and for
// routing away records that should go nowhere.
//
// # Fluent Bit parity
//
// Fluent Bit's out_null accepts format, json_date_key and json_date_format
// so that it can also measure the cost of formatting JSON; Sluice accepts
// the same parameters and values, so configurations carry over, but does
// not format anything.
package null
