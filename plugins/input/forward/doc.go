// Package forward implements the forward input: a server of the Fluentd
// Forward Protocol v1, which Fluent Bit, Fluentd, Docker's fluentd and
// awsfirelens log drivers and the fluent-logger libraries speak.
//
// It listens on TCP (Listen, Port) or a Unix socket (Unix_Path,
// Unix_Perm), optionally with TLS (tls.*), and accepts the four event
// modes: Message, Forward, PackedForward and CompressedPackedForward
// (gzip). Times may be integers or EventTime; entries may carry Fluent
// Bit's metadata ([[time, metadata], record]), which is kept. Every event
// is re-encoded into Sluice's chunk format with one copy.
//
// A message with the chunk option is acknowledged with {"ack": chunk} only
// after the pipeline accepted its records (Emit returned nil): a client
// that gets no ack resends, so delivery is at least once. Messages that
// arrive faster than they are handled (a log driver sends one record per
// message) are batched: consecutive ones already received with the same
// tag go to the pipeline in one Emit of up to 1 MiB, and are acknowledged
// together after it.
//
// # Safety
//
// Framing never trusts a length from the wire: a message whose headers
// announce more than Buffer_Max_Size bytes is refused before it is read,
// the read buffer grows by Buffer_Chunk_Size only as bytes arrive, and a
// gzip payload may inflate to at most 16 times Buffer_Max_Size. Buffers a
// large message made grow are let go once it is handled, so an idle
// connection holds about one Buffer_Chunk_Size. Malformed
// msgpack, wrong types, an oversize message, a failed handshake or a
// client that takes longer than Message_Timeout to complete a message
// close that connection alone, with the reason logged; records of earlier
// messages on it are kept, the bad message's are not.
//
// # Fluent Bit parity
//
// Parameters and defaults are Fluent Bit's: Listen 0.0.0.0, Port 24224,
// Buffer_Chunk_Size 1024000, Buffer_Max_Size 6144000, Tag_Prefix, Tag
// (replaces the client's tag), Shared_Key, Empty_Shared_Key,
// Self_Hostname (localhost) and Security.Users for the HELO/PING/PONG
// handshake. Message_Timeout (60s) is Sluice's own. Unlike Fluentd, and
// like Fluent Bit, a client may give the same host name as the server
// (both default to localhost). As in Fluent Bit, messages must be msgpack:
// fluent-logger-golang's MarshalAsJSON mode, which Fluentd also accepts, is
// refused with a logged reason; so are metrics and traces (the
// fluent_signal option), which Sluice does not carry.
package forward
