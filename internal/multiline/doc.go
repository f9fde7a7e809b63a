// Package multiline joins the lines of one logical log message: the pieces
// of a container line that the runtime split (Docker's 16 KiB json-file
// chunks, CRI's `P` partial lines) and the lines of a stack trace (Go
// panics, Java exceptions, Python tracebacks, or any state machine written
// as a [MULTILINE_PARSER] section).
//
// A Parser is immutable and built once from rules, as Fluent Bit's
// multiline parsers are: each rule names the states it applies in, a
// regular expression, and the state that follows. A message starts with a
// line matching a rule of "start_state" and goes on while each next line
// matches a rule of the current state; the first line that matches none
// ends it. A Joiner holds the state of many streams (a file, a tag, a
// container's stdout) and is fed lines, in order, with a stream key, a
// time and a caller's mark (tail passes the line's file offset, so it knows
// which lines are still held back and must not be committed). It emits
// each finished record through a callback; records still open after their
// parser's flush_timeout are emitted by FlushExpired.
//
// Parsers of two kinds decode container formats rather than match text:
// docker (json-file lines: {"log":"...","stream":"stdout","time":"..."})
// and cri (`<time> <stream> <P|F> <text>`). In a list of parsers they run
// first, whatever their position, and the text they rebuild is what the
// pattern parsers see. Lines that neither decodes pass through as they are.
package multiline
