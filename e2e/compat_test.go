package e2e

import (
	"bufio"
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"
)

// compatDir holds Fluent Bit configurations collected from public sources,
// one folder per source; files under a support/ folder are what those
// configurations include or reference, not configurations of their own.
const compatDir = "../testdata/compat"

// compatEnv is the environment the collected configurations expect (ECS,
// FireLens and Container Insights set these); the test fails on any
// ${VAR} left unset, so this list stays complete.
var compatEnv = []string{
	"APP_VERSION=v1.1.14",
	"AWS_REGION=us-west-2",
	"BUCKET=compat-bucket",
	"CLUSTER_NAME=compat-cluster",
	"DD_API_KEY=0123456789abcdef",
	"DELIVERY_STREAM=compat-delivery-stream",
	"ECS_CLUSTER=compat-cluster",
	"ECS_TASK_ARN=arn:aws:ecs:us-west-2:123456789012:task/compat-cluster/0123456789abcdef",
	"ECS_TASK_DEFINITION=compat-task:1",
	"ES_ENDPOINT=search-compat.us-west-2.es.amazonaws.com",
	"ES_REGION=us-west-2",
	"FIREHOSE_REGION=us-west-2",
	"FLUENT_BIT_METRICS_LOG_GROUP=compat-fluent-bit-metrics",
	"FLUENT_BIT_METRICS_LOG_REGION=us-west-2",
	"HOSTNAME=ip-10-0-0-1",
	"HOST_NAME=ip-10-0-0-1.us-west-2.compute.internal",
	"HTTP_PORT=2020",
	"HTTP_SERVER=On",
	"INDEX=compat-index",
	"KINESIS_REGION=us-west-2",
	"MEM_BUF_LIMIT_TASK=50MB",
	"NEW_RELIC_API_KEY=0123456789abcdef",
	"READ_FROM_HEAD=Off",
	"READ_FROM_HEAD_TASK=Off",
	"READ_FROM_TAIL=On",
	"REGION_TASK=us-west-2",
	"S3_REGION=us-west-2",
	"STREAM=compat-stream",
	"TASK_ID=0123456789abcdef",
	"TYPE=_doc",
}

// compatRow is one row of testdata/compat/README.md's table: a file and the
// result `sluice validate` must give for it.
type compatRow struct {
	line   int
	file   string   // relative to compatDir
	result string   // the table's result column
	valid  bool     // result is "valid"
	errors []string // otherwise: each error line names one of these, and each is named
}

var (
	compatMissingRE  = regexp.MustCompile("^missing (input|filter|output) plugin `([^`]+)`$")
	compatBacktickRE = regexp.MustCompile("`([^`]+)`")
)

// compatReadTable parses the result table of testdata/compat/README.md:
// rows "| `file` | source | result | notes |", where result is "valid" or
// parts separated by "; ", each "missing KIND plugin `NAME`" (the error
// `unknown KIND plugin "NAME"`) or "difference: ..." whose backquoted
// strings are each part of an expected error line.
func compatReadTable(t *testing.T) []compatRow {
	t.Helper()
	f, err := os.Open(filepath.Join(compatDir, "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var rows []compatRow
	sc := bufio.NewScanner(f)
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if !strings.HasPrefix(line, "| `") {
			continue
		}
		cells := strings.Split(strings.Trim(line, "|"), "|")
		if len(cells) < 3 {
			t.Fatalf("README.md:%d: want | file | source | result | notes |, got %q", n, line)
		}
		row := compatRow{line: n, file: strings.Trim(strings.TrimSpace(cells[0]), "`"), result: strings.TrimSpace(cells[2])}
		if row.result == "valid" {
			row.valid = true
		} else {
			for _, part := range strings.Split(row.result, "; ") {
				if m := compatMissingRE.FindStringSubmatch(part); m != nil {
					row.errors = append(row.errors, `unknown `+m[1]+` plugin "`+m[2]+`"`)
					continue
				}
				if !strings.HasPrefix(part, "difference: ") {
					t.Fatalf("README.md:%d: result part %q is neither valid, missing KIND plugin `NAME` nor difference: `ERROR`", n, part)
				}
				ms := compatBacktickRE.FindAllStringSubmatch(part, -1)
				if len(ms) == 0 {
					t.Fatalf("README.md:%d: difference %q quotes no error text in backquotes", n, part)
				}
				for _, m := range ms {
					row.errors = append(row.errors, m[1])
				}
			}
		}
		rows = append(rows, row)
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return rows
}

// compatErrorLines returns the error lines of a `sluice validate` stderr:
// "error: X" for one, or the indented lines under "N configuration errors:".
func compatErrorLines(stderr string) []string {
	var lines []string
	inList := false
	for _, l := range strings.Split(stderr, "\n") {
		switch {
		case strings.HasPrefix(l, "error: "):
			lines = append(lines, strings.TrimPrefix(l, "error: "))
			inList = false
		case strings.HasSuffix(l, "configuration errors:"):
			inList = true
		case inList && strings.HasPrefix(l, "  "):
			lines = append(lines, strings.TrimSpace(l))
		default:
			inList = false
		}
	}
	return lines
}

// TestCompatConfigsFromTheWild runs `sluice validate` on every configuration
// in testdata/compat and checks the result README.md's table gives for it:
// valid, or exactly the listed errors (each missing plugin named, each known
// difference quoted), nothing else.
func TestCompatConfigsFromTheWild(t *testing.T) {
	rows := compatReadTable(t)
	if len(rows) == 0 {
		t.Fatal("testdata/compat/README.md has no result rows")
	}

	// Every configuration has a row, every row a configuration.
	listed := map[string]int{}
	for _, r := range rows {
		if prev, dup := listed[r.file]; dup {
			t.Errorf("README.md:%d: %s is already listed at line %d", r.line, r.file, prev)
		}
		listed[r.file] = r.line
	}
	var files []string
	err := filepath.WalkDir(compatDir, func(path string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && d.Name() == "support" {
			return filepath.SkipDir
		}
		if ext := filepath.Ext(path); !d.IsDir() && (ext == ".conf" || ext == ".yaml") {
			rel, _ := filepath.Rel(compatDir, path)
			files = append(files, filepath.ToSlash(rel))
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	sort.Strings(files)
	for _, f := range files {
		if _, ok := listed[f]; !ok {
			t.Errorf("%s has no row in testdata/compat/README.md", f)
		}
		delete(listed, f)
	}
	for f, line := range listed {
		t.Errorf("README.md:%d: %s does not exist", line, f)
	}

	env := append(os.Environ(), compatEnv...)
	for _, r := range rows {
		r := r
		t.Run(r.file, func(t *testing.T) {
			cmd := exec.Command(sluiceBin, "validate", "-c", r.file)
			cmd.Dir = compatDir
			cmd.Env = env
			var stdout, stderr bytes.Buffer
			cmd.Stdout, cmd.Stderr = &stdout, &stderr
			err := cmd.Run()
			code := 0
			if exit, ok := err.(*exec.ExitError); ok {
				code = exit.ExitCode()
			} else if err != nil {
				t.Fatal(err)
			}
			if strings.Contains(stderr.String(), "is not set") {
				t.Errorf("a variable is not set; add it to compatEnv:\n%s", stderr.String())
			}
			if r.valid {
				if code != 0 || !strings.Contains(stdout.String(), "configuration is valid") {
					t.Fatalf("README says valid; exit %d\nstdout: %s\nstderr: %s", code, stdout.String(), stderr.String())
				}
				return
			}
			if code != 2 {
				t.Fatalf("README says %q; want exit 2, got %d\nstdout: %s\nstderr: %s", r.result, code, stdout.String(), stderr.String())
			}
			lines := compatErrorLines(stderr.String())
			named := make([]bool, len(r.errors))
			for _, l := range lines {
				found := false
				for i, want := range r.errors {
					if strings.Contains(l, want) {
						named[i], found = true, true
					}
				}
				if !found {
					t.Errorf("error not in README's result %q:\n  %s", r.result, l)
				}
			}
			for i, want := range r.errors {
				if !named[i] {
					t.Errorf("no error names %q; errors:\n  %s", want, strings.Join(lines, "\n  "))
				}
			}
		})
	}
}
