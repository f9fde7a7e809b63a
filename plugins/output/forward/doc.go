// Package forward implements the forward output: a client of the Fluentd
// Forward Protocol v1, to Fluentd, Fluent Bit or another Sluice.
//
// Each chunk goes as one PackedForward message ([tag, bin(entries),
// options]), or CompressedPackedForward with Compress gzip; entries are
// [EventTime, record] ([integer, record] with Time_as_Integer). With
// Require_ack_response, the message carries a chunk id and Flush waits up
// to net.io_timeout for the server's {"ack": id}: a chunk that is not
// acknowledged is an error, and the engine retries it (at least once).
//
// The server is Host/Port, Unix_Path, or the nodes of an Upstream file in
// Fluent Bit's format ([UPSTREAM] name, then [NODE] name/host/port with
// optional tls.* and shared_key, self_hostname, username, password).
// A relative Upstream path is taken from the working directory (Fluent Bit
// resolves it against the configuration file's directory): give an
// absolute one. Nodes take chunks in round-robin order; a node that cannot be reached is
// skipped for the next one within the same Flush, and a failed send is
// returned to the engine, whose retry goes to the next node.
//
// Connections are kept between chunks (net.keepalive), one per worker at a
// time, up to net.keepalive_idle_timeout idle and
// net.keepalive_max_recycle uses; a kept connection the server closed is
// noticed before it is written to. With Shared_Key the HELO/PING/PONG
// handshake runs on each new connection, and the server must prove the
// key back.
//
// # Fluent Bit parity
//
// Parameters and defaults are Fluent Bit's out_forward ones, Workers 2
// included. Fluentd_Compat is accepted and changes nothing: records are
// always sent in the form Fluentd reads. Compress takes gzip only.
package forward
