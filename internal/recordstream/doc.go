// Package recordstream decodes the byte streams of the tcp and udp inputs
// into records: JSON objects (or arrays of objects) back to back or
// separated by white space, found whole across reads without decoding
// them twice; or text records split on a separator, kept as
// {"log": "..."}. Messages are bounded (Decoder.Max), and an invalid one is
// an error for the caller to end that connection with.
package recordstream
