// Package syslog implements Fluent Bit's syslog input: it receives syslog
// messages over TCP, UDP or a Unix socket (stream or datagram) and parses
// each with a parser (RFC 5424 or RFC 3164 by default) into a record.
//
// # Fluent Bit parity
//
// Parameters and defaults are those of plugins/in_syslog: Mode unix_udp
// (tcp, udp, unix_tcp, unix_udp), Listen 0.0.0.0, Port 5140, Path (of the
// Unix socket), Unix_Perm 0644, Parser (syslog-rfc5424 for tcp and udp,
// syslog-rfc3164-local for the Unix modes, as Fluent Bit chooses),
// Buffer_Chunk_Size 32K, Buffer_Max_Size (Buffer_Chunk_Size when unset),
// Receive_Buffer_Size, Source_Address_Key, and tls* for tcp.
//
// # Framing
//
// On stream modes each message is framed as RFC 6587 allows, decided per
// message: octet counting ("LEN SP MSG", when the frame starts with a
// digit) or non-transparent framing (up to LF; a CR before it is
// dropped). A datagram holds one message, or several separated by LF.
//
// # Parsing
//
// The parser comes from the configuration's parsers ([PARSER] sections,
// Parsers_File); the syslog-* parsers Sluice ships (conf/parsers.conf)
// are used when the configuration does not define the name, so the
// defaults work without a Parsers_File. A message the parser does not
// match is kept as {"message": "<the line>"} and counted in a warning,
// instead of being dropped as Fluent Bit does.
//
// # Bad clients
//
// A stream client whose frame is longer than Buffer_Max_Size, or whose
// octet count is not a number, gets a warning naming it and the reason
// and is closed; messages it sent before are kept, other clients are not
// affected. A datagram longer than Buffer_Max_Size is cut by the socket
// and its truncated message is kept as it came.
package syslog
