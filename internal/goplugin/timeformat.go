package goplugin

import "strings"

// TimeKeyFormat rewrites a Go plugin's time_key_format for the core
// outputs: the Go plugins (on ECS agent 1.42+) read %L as milliseconds and
// %f as microseconds, where Fluent Bit's core outputs read %L as
// nanoseconds and write milliseconds and microseconds as %3N and %6N.
func TimeKeyFormat(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] != '%' || i+1 == len(s) {
			b.WriteByte(s[i])
			continue
		}
		i++
		switch s[i] {
		case 'L':
			b.WriteString("%3N")
		case 'f':
			b.WriteString("%6N")
		default:
			b.WriteByte('%')
			b.WriteByte(s[i])
		}
	}
	return b.String()
}
