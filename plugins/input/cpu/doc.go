// Package cpu implements the cpu input (Fluent Bit's in_cpu): every
// interval it emits one record of CPU usage in percent, read from
// /proc/stat, or from /proc/PID/stat with PID.
//
// # Records
//
// For the whole system:
//
//	{"cpu_p": 12.5, "user_p": 10.0, "system_p": 2.5,
//	 "cpu0.p_cpu": 20.0, "cpu0.p_user": 17.0, "cpu0.p_system": 3.0,
//	 "cpu1.p_cpu": 5.0, ...}
//
// cpu_p is user+nice+system time over the interval as a share of all CPUs'
// capacity (0-100); user_p counts user+nice, system_p system. cpuN.p_*
// are the same for core N, as a share of that core (0-100). With PID, the
// record has only cpu_p, user_p and system_p: the process's utime+stime,
// utime and stime as a share of one core (above 100 for a process using
// several cores). Values are floats, the keys in Fluent Bit's order.
//
// # Fluent Bit parity
//
// Parameters and defaults are Fluent Bit's: Interval_Sec (1),
// Interval_NSec (0), PID. As in Fluent Bit, the first record comes one
// interval after start (the first reading is the baseline). Sluice divides
// by the time actually elapsed between two readings, where Fluent Bit
// divides by the configured interval; they agree unless a collection is
// late. A failed reading (a PID that exited, an unreadable /proc) is
// logged — once until readings succeed again — and no record is emitted
// for that interval, as in Fluent Bit.
package cpu
