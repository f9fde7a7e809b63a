// Package exec implements Fluent Bit's exec input: it runs a shell
// command every interval (or once) and turns each line of its standard
// output into a record.
//
// # Fluent Bit parity
//
// Parameters and defaults are those of plugins/in_exec: Command (run with
// /bin/sh -c, as popen does), Parser, Interval_Sec 1, Interval_NSec 0,
// Buf_Size 4096, Oneshot. Without a Parser a line becomes
// {"exec": "<line>"}; with one, the parsed record (a line it does not
// match stays {"exec": "<line>"}, counted in a warning). A line longer
// than Buf_Size is cut into pieces of Buf_Size, as Fluent Bit's fgets
// loop does. A run that has not finished when the next is due delays it:
// runs never overlap.
//
// A command that exits with an error, or cannot be started, is logged
// with its exit status and the end of its standard error; the lines it
// printed are kept, and it runs again at the next interval. At shutdown a
// running command is killed.
//
// Exit_After_Oneshot (which implies Oneshot) makes Sluice a wrapper of the
// command, as in Fluent Bit: once the command has exited, its output is
// delivered and Sluice exits; with Propagate_Exit_Code the exit code is
// the command's (shell conventions: 128+N after signal N, 127 when it
// cannot be started).
package exec
