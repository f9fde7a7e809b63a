package config

import (
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
)

// writeTree writes files (slash paths to contents) under a new directory.
func writeTree(t *testing.T, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for name, content := range files {
		path := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// withoutPositions returns a copy of m with every position and the file
// list cleared, to compare what two configurations mean.
func withoutPositions(m *Model) Model {
	c := *m
	c.Files = nil
	for _, list := range []*[]Section{&c.Inputs, &c.Filters, &c.Outputs, &c.Parsers, &c.MultilineParsers} {
		*list = slices.Clone(*list)
	}
	for _, s := range sectionsOf(&c) {
		s.Pos = Position{}
		s.Params = slices.Clone(s.Params)
		for i := range s.Params {
			s.Params[i].Pos = Position{}
		}
	}
	return c
}

// TestLoadGolden: a classic configuration and its YAML translation, each
// with an include, variables, parsers and a multiline parser, load to the
// same model.
func TestLoadGolden(t *testing.T) {
	t.Setenv("MEM_LIMIT", "50MB")
	classic, _, err := Load("testdata/golden/pipeline.conf")
	if err != nil {
		t.Fatal(err)
	}
	yaml, _, err := Load("testdata/golden/pipeline.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if c, y := withoutPositions(classic), withoutPositions(yaml); !reflect.DeepEqual(c, y) {
		t.Fatalf("classic and YAML differ:\nclassic:\n%s\nyaml:\n%s", describe(&c), describe(&y))
	}
	want := `service: flush=1; log_level=info; http_server=on
input: name=tail; path=/var/log/app/*.log; tag=app.*; multiline.parser=multiline-java; mem_buf_limit=50MB; read_from_head=true
filter: name=modify; match=app.*; add=cluster prod-eu; add=source tail
filter: name=grep; match=app.*; exclude=log ^\s*$
output: name=stdout; match=*; format=json_lines
parser: name=apache; format=regex; regex=^(?<host>[^ ]*) [^ ]* (?<user>[^ ]*) \[(?<time>[^\]]*)\] "(?<method>\S+)(?: +(?<path>[^\"]*?)(?: +\S*)?)?" (?<code>[^ ]*) (?<size>[^ ]*)$; time_key=time; time_format=%d/%b/%Y:%H:%M:%S %z
multiline_parser: name=multiline-java; type=regex; flush_timeout=1000; rule="start_state" "/^\d{4}-\d{2}-\d{2}/" "cont"; rule="cont" "/^\s+at\s/" "cont"
`
	if got := describe(classic); got != want {
		t.Errorf("model:\n%s\nwant:\n%s", got, want)
	}
	if want := []string{"testdata/golden/pipeline.conf", "testdata/golden/inputs.conf"}; !slices.Equal(classic.Files, want) {
		t.Errorf("files %q, want %q", classic.Files, want)
	}
}

// TestLoadFireLens loads the configuration ECS FireLens generates
// (aws-samples/amazon-ecs-firelens-under-the-hood, generated-configs), with
// its @INCLUDE of the user's file pointed at a temporary copy.
func TestLoadFireLens(t *testing.T) {
	t.Setenv("AWS_REGION", "us-east-1")
	t.Setenv("APP_NAME", "checkout")
	generated, err := os.ReadFile("testdata/firelens/fluent-bit.conf")
	if err != nil {
		t.Fatal(err)
	}
	external, err := os.ReadFile("testdata/firelens/external.conf")
	if err != nil {
		t.Fatal(err)
	}
	dir := writeTree(t, map[string]string{"external.conf": string(external)})
	main := filepath.Join(dir, "fluent-bit.conf")
	src := strings.Replace(string(generated), "/fluent-bit/etc/external.conf", filepath.Join(dir, "external.conf"), 1)
	if err := os.WriteFile(main, []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	m, warnings, err := Load(main)
	if err != nil || len(warnings) > 0 {
		t.Fatal(err, warnings)
	}
	want := `service: Flush=1; Grace=30; Log_Level=info; HTTP_Server=On; HTTP_Listen=0.0.0.0; HTTP_PORT=2020
input: Name=forward; Mem_Buf_Limit=25MB; unix_path=/var/run/fluent.sock
input: Name=forward; Listen=0.0.0.0; Port=24224
input: Name=tcp; Tag=firelens-healthcheck; Listen=127.0.0.1; Port=8877
filter: Name=record_modifier; Match=*; Record=ecs_cluster my-cluster; Record=ecs_task_arn arn:aws:ecs:us-east-1:123456789012:task/my-cluster/abc; Record=ecs_task_definition my-task:3
filter: Name=grep; Match=app-firelens*; Exclude=log ^\s*$
output: Name=kinesis_firehose; Match=app-firelens*; region=us-east-1; delivery_stream=checkout-logs
output: Name=null; Match=firelens-healthcheck
output: Name=cloudwatch_logs; Match=app-firelens*; region=us-east-1; log_group_name=/ecs/logs/sample-test; log_stream_prefix=from-fluent-bit; auto_create_group=true
`
	if got := describe(m); got != want {
		t.Errorf("model:\n%s\nwant:\n%s", got, want)
	}
	if want := []string{main, filepath.Join(dir, "external.conf")}; !slices.Equal(m.Files, want) {
		t.Errorf("files %q, want %q", m.Files, want)
	}
}

func TestLoadIncludeGlob(t *testing.T) {
	m, _, err := Load("testdata/include/fluent-bit.conf")
	if err != nil {
		t.Fatal(err)
	}
	want := "service: Flush=5\ninput: Name=cpu; Tag=cpu.local\ninput: Name=mem; Tag=mem.local\noutput: Name=stdout; Match=*\n"
	if got := describe(m); got != want {
		t.Errorf("model:\n%s\nwant:\n%s", got, want)
	}
	files := []string{"testdata/include/fluent-bit.conf", "testdata/include/conf.d/10-inputs.conf",
		"testdata/include/conf.d/20-outputs.conf", "testdata/include/shared/outputs.conf"}
	if !slices.Equal(m.Files, files) {
		t.Errorf("files %q, want %q", m.Files, files)
	}
}

func TestLoadIncludeErrors(t *testing.T) {
	dir := writeTree(t, map[string]string{
		"missing.conf":    "[SERVICE]\n    Flush 1\n@INCLUDE nowhere.conf\n",
		"noglob.conf":     "@INCLUDE conf.d/*.conf\n",
		"twice.conf":      "@INCLUDE in.conf\n@INCLUDE ./in.conf\n",
		"in.conf":         "[INPUT]\n    Name cpu\n",
		"after.conf":      "[INPUT]\n    Name cpu\n@INCLUDE in.conf\n    Tag x\n",
		"main.yaml":       "service:\n  flush: 1\nincludes:\n  - sub/inputs.yaml\n",
		"sub/inputs.yaml": "pipeline:\n  inputs:\n    - name: cpu\n  outputz: []\n",
		"loop.yaml":       "includes: [loop.yaml]\n",
	})
	tests := []struct {
		main string
		want []wantError
	}{{
		main: "testdata/cycle/a.conf",
		want: []wantError{{"testdata/cycle/b.conf:5:1",
			"include cycle: testdata/cycle/a.conf -> testdata/cycle/b.conf -> testdata/cycle/a.conf (included from testdata/cycle/a.conf:4)", "remove"}},
	}, {
		main: "testdata/chain/main.conf",
		want: []wantError{
			{"testdata/chain/sub/bad.conf:4:1",
				`unknown section "[OUTPT]" (included from testdata/chain/sub/middle.conf:2, included from testdata/chain/main.conf:3)`, "did you mean [OUTPUT]?"},
			{"testdata/chain/sub/bad.conf:9:4", "shallower", ""},
		},
	}, {
		main: filepath.Join(dir, "missing.conf"),
		want: []wantError{{filepath.Join(dir, "missing.conf") + ":3:1", "nowhere.conf\": no such file", "including file's directory"}},
	}, {
		main: filepath.Join(dir, "noglob.conf"),
		want: []wantError{{filepath.Join(dir, "noglob.conf") + ":1:1", `include pattern "conf.d/*.conf" matches no file`, dir}},
	}, {
		main: filepath.Join(dir, "twice.conf"),
		want: []wantError{{filepath.Join(dir, "twice.conf") + ":2:1", "in.conf\" is read a second time", ""}},
	}, {
		main: filepath.Join(dir, "after.conf"),
		want: []wantError{{filepath.Join(dir, "after.conf") + ":4:5", `"Tag" is outside any section`, "repeat the section header after the @INCLUDE"}},
	}, {
		main: filepath.Join(dir, "main.yaml"),
		want: []wantError{{filepath.Join(dir, "sub/inputs.yaml") + ":4:3",
			`unknown key "outputz" in pipeline (included from ` + filepath.Join(dir, "main.yaml") + ":4)", `did you mean "outputs"?`}},
	}, {
		main: filepath.Join(dir, "loop.yaml"),
		want: []wantError{{filepath.Join(dir, "loop.yaml") + ":1:12", "include cycle", ""}},
	}, {
		main: filepath.Join(dir, "nope.conf"),
		want: []wantError{{filepath.Join(dir, "nope.conf"), "no such file", "-c"}},
	}}
	for _, tt := range tests {
		t.Run(filepath.Base(tt.main), func(t *testing.T) {
			m, _, err := Load(tt.main)
			if m != nil {
				t.Errorf("got a model with errors: %v", describe(m))
			}
			checkErrors(t, err, tt.want)
		})
	}
}

func TestLoadParsersFiles(t *testing.T) {
	t.Setenv("EXTRA_PARSERS", "multiline.conf")
	const parsers = "parser: Name=json_time; Format=json; Time_Key=time; Time_Format=%Y-%m-%dT%H:%M:%S.%L%z\n" +
		`parser: Name=syslog-rfc3164; Format=regex; Regex=/^\<(?<pri>[0-9]+)\>(?<time>[^ ]* {1,2}[^ ]* [^ ]*) (?<host>[^ ]*) (?<ident>[a-zA-Z0-9_\/\.\-]*)(?:\[(?<pid>[0-9]+)\])?(?:[^\:]*\:)? *(?<message>.*)$/; Time_Key=time; Time_Format=%b %d %H:%M:%S` + "\n"
	tests := []struct {
		main, want string
		files      []string
	}{{
		main: "testdata/parsers/fluent-bit.conf",
		want: "service: Flush=1; Parsers_File=parsers.conf; Parsers_File=extra/multiline.conf\n" +
			"input: Name=tail; Path=/var/log/containers/*.log; multiline.parser=docker, cri; Parser=json_time\n" + parsers +
			`multiline_parser: name=multiline-python; type=regex; flush_timeout=1000; rule="start_state"   "/^Traceback \(most recent call last\):$/"  "python_tb"; rule="python_tb"     "/^\s+File /"                                "python_tb"` + "\n",
		files: []string{"fluent-bit.conf", "parsers.conf", "extra/multiline.conf"},
	}, {
		main: "testdata/parsers/fluent-bit.yaml",
		want: "service: flush=1; parsers_file=parsers.conf; parsers_file=extra/multiline.yaml\n" +
			"input: name=tail; path=/var/log/containers/*.log; parser=json_time\n" + parsers +
			`multiline_parser: name=multiline-python; type=regex; flush_timeout=1000; rule="start_state" "/^Traceback \(most recent call last\):$/" "python_tb"; rule="python_tb" "/^\s+File /" "python_tb"` + "\n",
		files: []string{"fluent-bit.yaml", "parsers.conf", "extra/multiline.yaml"},
	}}
	for _, tt := range tests {
		t.Run(filepath.Base(tt.main), func(t *testing.T) {
			m, warnings, err := Load(tt.main)
			if err != nil || len(warnings) > 0 {
				t.Fatal(err, warnings)
			}
			if got := describe(m); got != tt.want {
				t.Errorf("model:\n%s\nwant:\n%s", got, tt.want)
			}
			for i := range tt.files {
				tt.files[i] = "testdata/parsers/" + tt.files[i]
			}
			if !slices.Equal(m.Files, tt.files) {
				t.Errorf("files %q, want %q", m.Files, tt.files)
			}
		})
	}
}

func TestLoadParsersFileProblems(t *testing.T) {
	dir := writeTree(t, map[string]string{
		"missing.conf":       "[SERVICE]\n    Parsers_File nowhere.conf\n",
		"bad.conf":           "[SERVICE]\n    Parsers_File parsers/bad.conf\n",
		"parsers/bad.conf":   "[PARSER]\n    Name x\n    Format\n",
		"mixed.conf":         "[SERVICE]\n    Parsers_File mixed_parsers.conf\n",
		"mixed_parsers.conf": "[PARSER]\n    Name json\n    Format json\n[INPUT]\n    Name cpu\n",
	})
	_, _, err := Load(filepath.Join(dir, "missing.conf"))
	checkErrors(t, err, []wantError{{filepath.Join(dir, "missing.conf") + ":2:5", "nowhere.conf\": no such file", "main configuration's directory"}})

	_, _, err = Load(filepath.Join(dir, "bad.conf"))
	checkErrors(t, err, []wantError{{filepath.Join(dir, "parsers/bad.conf") + ":3:5",
		`key "Format" has no value (parsers_file of ` + filepath.Join(dir, "bad.conf") + ":2)", ""}})

	m, warnings, err := Load(filepath.Join(dir, "mixed.conf"))
	if err != nil {
		t.Fatal(err)
	}
	if len(m.Parsers) != 1 || len(m.Inputs) != 0 {
		t.Errorf("model:\n%s", describe(m))
	}
	if len(warnings) != 1 || !strings.Contains(warnings[0].String(), "mixed_parsers.conf:4:1: [INPUT] in a parsers file is ignored") {
		t.Errorf("warnings %v", warnings)
	}
}

func TestLoadParsersFileRelativeToMain(t *testing.T) {
	m := &Model{Files: []string{"testdata/parsers/fluent-bit.conf"}}
	warnings, err := LoadParsersFile("parsers.conf", m)
	if err != nil || len(warnings) > 0 {
		t.Fatal(err, warnings)
	}
	if len(m.Parsers) != 2 || m.Parsers[1].Name() != "syslog-rfc3164" {
		t.Errorf("parsers:\n%s", describe(m))
	}
	if want := []string{"testdata/parsers/fluent-bit.conf", "testdata/parsers/parsers.conf"}; !slices.Equal(m.Files, want) {
		t.Errorf("files %q, want %q", m.Files, want)
	}
}

func TestLoadChoosesFormatByExtension(t *testing.T) {
	const classic, yaml = "[INPUT]\n    Name cpu\n", "pipeline:\n  inputs:\n    - name: cpu\n"
	dir := writeTree(t, map[string]string{
		"a.conf": classic, "a": classic, "a.cfg": classic,
		"b.yaml": yaml, "b.yml": yaml, "b.YAML": yaml,
	})
	for _, name := range []string{"a.conf", "a", "a.cfg", "b.yaml", "b.yml", "b.YAML"} {
		m, _, err := Load(filepath.Join(dir, name))
		if err != nil {
			t.Errorf("%s: %v", name, err)
			continue
		}
		if len(m.Inputs) != 1 || m.Inputs[0].Name() != "cpu" {
			t.Errorf("%s: model:\n%s", name, describe(m))
		}
	}
}
