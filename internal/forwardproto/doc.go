// Package forwardproto holds what the forward input and output share of the
// Fluentd Forward Protocol v1
// (https://github.com/fluent/fluentd/wiki/Forward-Protocol-Specification-v1):
// framing msgpack messages out of a byte stream without trusting lengths
// from the wire (ScanValue, Reader), the HELO/PING/PONG handshake of
// shared-key authentication, and the ack response.
//
// Decoding the events of a message is the input's business
// (plugins/input/forward); encoding them is the output's.
package forwardproto
