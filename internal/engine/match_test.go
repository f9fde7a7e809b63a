package engine

import (
	"strings"
	"testing"
)

// TestMatcher checks routing decisions against Fluent Bit's documented and
// implemented semantics (docs: data-pipeline/router; src/flb_router.c).
func TestMatcher(t *testing.T) {
	tests := []struct {
		match, regex, tag string
		want              bool
	}{
		// Exact match, case-sensitive, whole tag.
		{"my_cpu", "", "my_cpu", true},
		{"my_cpu", "", "my_cpu2", false},
		{"my_cpu", "", "My_cpu", false},
		{"my_cpu", "", "my_cp", false},
		// '*' matches everything, dots included.
		{"*", "", "anything.at.all", true},
		{"*", "", "", true},
		{"my_*", "", "my_cpu", true},
		{"my_*", "", "my_", true},
		{"my_*", "", "mx_cpu", false},
		{"kube.*", "", "kube.var.log.containers.app.log", true},
		{"kube.*", "", "kube", false},
		{"*.log", "", "kube.var.log.containers.app.log", true},
		{"*.log", "", "app.log.gz", false},
		{"app-firelens*", "", "app-firelens-4a5b", true},
		{"a*b*c", "", "aXXbYYc", true},
		{"a*b*c", "", "aXXbYY", false},
		{"a*b*c", "", "abcbc", true},
		{"a**c", "", "abc", true},
		{"*-firelens-*", "", "app-firelens-123", true},
		// '?' is not a wildcard in Fluent Bit.
		{"my_cp?", "", "my_cpu", false},
		{"my_cp?", "", "my_cp?", true},
		// Match_Regex is anchored at the start only, and must match something.
		{"", `.*_sensor_[AB]`, "temp_sensor_A", true},
		{"", `.*_sensor_[AB]`, "temp_sensor_C", false},
		{"", `sensor`, "temp_sensor_A", false},
		{"", `temp`, "temp_sensor_A", true},
		{"", `x*`, "temp", false},
		{"", `^app\.(web|api)$`, "app.web", true},
		{"", `^app\.(web|api)$`, "app.worker", false},
		// Ruby syntax, look-around included (the backtracking engine).
		{"", `app\.(?!internal)`, "app.web", true},
		{"", `app\.(?!internal)`, "app.internal", false},
		{"", `kube\.\h+$`, "kube.0af3", true},
		// Both set: either matches.
		{"audit", `^app\.`, "app.web", true},
		{"audit", `^app\.`, "audit", true},
		{"audit", `^app\.`, "other", false},
		// Nothing set matches nothing.
		{"", "", "tag", false},
	}
	for _, tt := range tests {
		m, err := NewMatcher(tt.match, tt.regex)
		if err != nil {
			t.Fatalf("NewMatcher(%q, %q): %v", tt.match, tt.regex, err)
		}
		if got := m.Match(tt.tag); got != tt.want {
			t.Errorf("Match=%q Match_Regex=%q tag %q: got %v, want %v", tt.match, tt.regex, tt.tag, got, tt.want)
		}
	}
}

func TestMatcherRejectsBadRegex(t *testing.T) {
	if _, err := NewMatcher("", "("); err == nil || !strings.Contains(err.Error(), `invalid Match_Regex "("`) {
		t.Fatalf("error %v, want one naming the invalid Match_Regex", err)
	}
	m, err := NewMatcher("", `app\.(?!x)`)
	if err != nil || m.String() != `Match_Regex app\.(?!x)` {
		t.Errorf("String() = %q (%v), want the expression as written", m.String(), err)
	}
}

func FuzzWildcardMatch(f *testing.F) {
	f.Add("a*b*c", "aXbYc")
	f.Add("*", "")
	f.Fuzz(func(t *testing.T, pattern, tag string) {
		got := wildcardMatch(pattern, tag)
		if want := naiveWildcard(pattern, tag); got != want {
			t.Fatalf("wildcardMatch(%q, %q) = %v, want %v", pattern, tag, got, want)
		}
	})
}

// naiveWildcard is the textbook dynamic-programming reference:
// ok[i][j] says pattern[:i] matches s[:j].
func naiveWildcard(p, s string) bool {
	ok := make([][]bool, len(p)+1)
	for i := range ok {
		ok[i] = make([]bool, len(s)+1)
	}
	ok[0][0] = true
	for i := 1; i <= len(p); i++ {
		for j := 0; j <= len(s); j++ {
			if p[i-1] == '*' {
				ok[i][j] = ok[i-1][j] || (j > 0 && ok[i][j-1])
			} else {
				ok[i][j] = j > 0 && ok[i-1][j-1] && p[i-1] == s[j-1]
			}
		}
	}
	return ok[len(p)][len(s)]
}
