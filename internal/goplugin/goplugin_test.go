package goplugin

import "testing"

func TestTimeKeyFormat(t *testing.T) {
	for in, want := range map[string]string{
		"%Y-%m-%dT%H:%M:%S.%L%z": "%Y-%m-%dT%H:%M:%S.%3N%z",
		"%s.%f":                  "%s.%6N",
		"100%% %L":               "100%% %3N",
		"%":                      "%",
	} {
		if got := TimeKeyFormat(in); got != want {
			t.Errorf("%q: %q, want %q", in, got, want)
		}
	}
}
