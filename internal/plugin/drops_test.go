package plugin

import (
	"errors"
	"fmt"
	"regexp"
	"testing"
	"time"
)

// Reasons are Prometheus label values dashboards select on: lower-case
// words, each once.
func TestReasonsAreStableLabelValues(t *testing.T) {
	word := regexp.MustCompile(`^[a-z]+(_[a-z]+)*$`)
	seen := map[string]bool{}
	for _, r := range Reasons {
		if !word.MatchString(r) || seen[r] {
			t.Errorf("reason %q: not a lower_case word, or listed twice", r)
		}
		seen[r] = true
	}
}

func TestDropClassification(t *testing.T) {
	base := errors.New("base")
	for _, tc := range []struct {
		name    string
		err     error
		class   ErrorClass
		failed  string
		drops   string // reason[indexes] ...
		reason  string // DropReason
		denied  bool
		message string // "" for base's
	}{
		{"permanent", Permanent(base), ClassPermanent, "[]", "[]", ReasonPermanent, false, ""},
		{"permanent with a reason", PermanentReason(ReasonOversize, base), ClassPermanent, "[]", "[]", ReasonOversize, false, ""},
		{"rejected", PartialRejected(base, []int{1}, []int{0, 2}), ClassPartial, "[1]", "[rejected[0 2]]", ReasonPermanent, false, ""},
		{"rejected, none refused", PartialRejected(base, []int{1}, nil), ClassPartial, "[1]", "[]", ReasonPermanent, false, ""},
		{"dropped, two reasons, no error given", PartialDropped(nil, nil,
			Drop{Reason: ReasonOversize, Indexes: []int{3}, Err: errors.New("too big")},
			Drop{Reason: ReasonEmpty, Indexes: []int{4}, Err: errors.New("empty")}),
			ClassPartial, "[]", "[oversize[3] empty[4]]", ReasonPermanent, false, "too big\nempty"},
		{"access denied keeps its class", AccessDenied(Throttled(base, time.Second)), ClassThrottled, "[]", "[]", ReasonPermanent, true, ""},
		{"access denied, wrapped", fmt.Errorf("flush: %w", AccessDenied(base)), ClassRetryable, "[]", "[]", ReasonPermanent, true, "flush: base"},
		{"plain", base, ClassRetryable, "[]", "[]", ReasonPermanent, false, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			class, _, failed := Classify(tc.err)
			var drops []string
			for _, d := range Drops(tc.err) {
				drops = append(drops, d.Reason+fmt.Sprint(d.Indexes))
			}
			if failed == nil {
				failed = []int{}
			}
			if drops == nil {
				drops = []string{}
			}
			if class != tc.class || fmt.Sprint(failed) != tc.failed || fmt.Sprint(drops) != tc.drops ||
				DropReason(tc.err) != tc.reason || IsAccessDenied(tc.err) != tc.denied {
				t.Errorf("class %s failed %v drops %v reason %s denied %v", class, failed, drops, DropReason(tc.err), IsAccessDenied(tc.err))
			}
			want := tc.message
			if want == "" {
				want = "base"
			}
			if tc.err.Error() != want {
				t.Errorf("message %q, want %q", tc.err.Error(), want)
			}
		})
	}
	if got := fmt.Sprint(Rejected(PartialDropped(nil, nil, Drop{Reason: ReasonEmpty, Indexes: []int{1}}, Drop{Reason: ReasonOversize, Indexes: []int{4}}))); got != "[1 4]" {
		t.Errorf("Rejected = %s", got)
	}
	if got := DropRest(ReasonMalformed, 2, 5, base); fmt.Sprint(got.Indexes) != "[2 3 4]" || got.Reason != ReasonMalformed {
		t.Errorf("DropRest = %+v", got)
	}
}
