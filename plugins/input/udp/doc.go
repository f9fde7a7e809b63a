// Package udp implements Fluent Bit's udp input: every datagram received
// on a UDP port is decoded, like the tcp input's stream, as JSON objects
// (Format json) or text records split on Separator (Format none), with
// internal/recordstream.
//
// # Fluent Bit parity
//
// Parameters and defaults are those of plugins/in_udp: Listen 0.0.0.0,
// Port 5170, Format json, Separator "\n", Chunk_Size 32 and Buffer_Size
// (Chunk_Size when unset) in KB (or with a unit), Source_Address_Key.
// Buffer_Size is the largest datagram read; a longer one is cut by the
// socket.
//
// A datagram that does not decode is reported with a warning naming its
// sender and the reason; records before the bad part are kept, and
// nothing else is affected. UDP itself may drop datagrams under load.
package udp
