package opensearch

import (
	"testing"

	"github.com/sluice-logs/sluice/internal/plugin/plugintest"
)

func TestSpecIsTheBulkClientUnderItsName(t *testing.T) {
	s := Spec()
	if s.Name != "opensearch" {
		t.Fatalf("name %q", s.Name)
	}
	set := plugintest.Settings(t, s, "Host", "search.example", "AWS_Auth", "on", "AWS_Region", "eu-west-1", "AWS_Service_Name", "aoss", "Suppress_Type_Name", "on")
	if _, err := s.NewOutput(set); err != nil {
		t.Fatal(err)
	}
}
