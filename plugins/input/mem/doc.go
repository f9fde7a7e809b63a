// Package mem implements the mem input (Fluent Bit's in_mem): every
// interval it emits one record of memory and swap usage, read from
// /proc/meminfo, and with PID the resident size of one process.
//
// # Records
//
//	{"Mem.total": 1016044, "Mem.used": 841388, "Mem.free": 600000,
//	 "Swap.total": 2064380, "Swap.used": 139888, "Swap.free": 1924492}
//
// Values are kilobytes, as whole numbers. Mem.used is MemTotal - MemFree
// and Mem.free is MemAvailable (MemFree on kernels before 3.14), exactly as
// Fluent Bit computes them, so Mem.used + Mem.free can exceed Mem.total.
// With PID the record also has proc_bytes (the process's resident set
// size in bytes) and proc_hr (the same, human-readable: "12.00M").
//
// # Fluent Bit parity
//
// Parameters and defaults are Fluent Bit's: Interval_Sec (1),
// Interval_NSec (0), PID. As in Fluent Bit, a PID that cannot be read is
// reported once and then no longer measured, and records go on without
// proc_bytes. Fluent Bit writes proc_hr as a number by mistake; Sluice
// writes the string its documentation describes. Fluent Bit reads the
// totals with sysinfo(2); Sluice reads /proc/meminfo, which holds the
// same numbers.
package mem
