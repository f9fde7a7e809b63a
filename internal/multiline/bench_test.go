package multiline

import (
	"fmt"
	"testing"
)

func BenchmarkDecodeCRI(b *testing.B) {
	line := []byte("2024-05-01T12:00:00.123456789Z stdout F order 42 created for customer 7 in 12ms, items=3, total=99.95 EUR")
	b.SetBytes(int64(len(line)))
	b.ReportAllocs()
	for range b.N {
		DecodeCRI(line)
	}
}

func BenchmarkDecodeDocker(b *testing.B) {
	line := []byte(`{"log":"order 42 created for customer 7 in 12ms, items=3, total=99.95 EUR\n","stream":"stdout","time":"2024-05-01T12:00:00.123456789Z"}`)
	b.SetBytes(int64(len(line)))
	b.ReportAllocs()
	var scratch []byte
	for range b.N {
		_, scratch, _ = DecodeDocker(line, scratch)
	}
}

// BenchmarkJoiner runs ordinary CRI lines (no trace) through cri, java,
// python and go: the cost multiline parsing adds to every line.
func BenchmarkJoiner(b *testing.B) {
	var lines [][]byte
	for i := 0; i < 1000; i++ {
		lines = append(lines, []byte(fmt.Sprintf("2024-05-01T12:00:00.%09dZ stdout F order %d created for customer 7 in 12ms, items=3, total=99.95 EUR", i, i)))
	}
	j := NewJoiner([]*Parser{Builtin("cri"), Builtin("java"), Builtin("python"), Builtin("go")}, func(*Record) {})
	b.ReportAllocs()
	b.ResetTimer()
	for i := range b.N {
		j.Feed("k", lines[i%len(lines)], 0, int64(i))
	}
}

func BenchmarkStartRules(b *testing.B) {
	line := []byte("order 42 created for customer 7 in 12ms, items=3, total=99.95 EUR")
	for _, n := range []string{"java", "python", "go"} {
		p := Builtin(n)
		b.Run(n, func(b *testing.B) {
			for range b.N {
				p.step(StartState, line)
			}
		})
	}
}
