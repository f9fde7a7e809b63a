package config

import (
	"strings"
	"testing"
)

func TestParseYAML(t *testing.T) {
	t.Setenv("SLUICE_TEST_REGION", "eu-west-1")
	tests := []struct {
		name, src, want string
	}{{
		name: "scalars keep their source text",
		src:  "service:\n  flush: 1.5\n  http_server: on\n  daemon: Off\n  http_port: 0x7E4\n  log_level: 'info'\n",
		want: "service: flush=1.5; http_server=on; daemon=Off; http_port=0x7E4; log_level=info\n",
	}, {
		name: "a list becomes one Param per item",
		src:  "pipeline:\n  filters:\n    - name: modify\n      match: '*'\n      add: [a b, c d]\n",
		want: "filter: name=modify; match=*; add=a b; add=c d\n",
	}, {
		name: "camelCase keys read as snake_case, as Fluent Bit reads them",
		src:  "service:\n  logLevel: debug\n  HTTP_Server: on\n  storage.path: /var/lib\n  httpPort: 2020\n",
		want: "service: log_level=debug; HTTP_Server=on; storage.path=/var/lib; http_port=2020\n",
	}, {
		name: "block scalars are trimmed like every value",
		src:  "pipeline:\n  inputs:\n    - name: dummy\n      dummy: |\n        {\"a\": 1}\n",
		want: "input: name=dummy; dummy={\"a\": 1}\n",
	}, {
		name: "anchors and aliases",
		src:  "pipeline:\n  outputs:\n    - &out\n      name: stdout\n      match: '*'\n    - *out\n",
		want: "output: name=stdout; match=*\noutput: name=stdout; match=*\n",
	}, {
		name: "multiline rules use the classic rule shape, quotes escaped",
		src: "multiline_parsers:\n  - name: ml\n    type: regex\n    rules:\n" +
			"      - state: start_state\n        regex: '/^say \"hi\"/'\n        nextState: cont\n" +
			"      - {state: cont, regex: '/^\\s/', next_state: cont}\n",
		want: "multiline_parser: name=ml; type=regex; rule=\"start_state\" \"/^say \\\"hi\\\"/\" \"cont\"; rule=\"cont\" \"/^\\s/\" \"cont\"\n",
	}, {
		name: "env variables expand and win over the environment",
		src:  "env:\n  SLUICE_TEST_REGION: us-east-1\n  tag: app\npipeline:\n  outputs:\n    - name: s3\n      match: ${tag}.*\n      region: ${SLUICE_TEST_REGION}\n",
		want: "output: name=s3; match=app.*; region=us-east-1\n",
	}, {
		name: "env in its list form",
		src:  "env:\n  - name: tag\n    value: app\npipeline:\n  outputs:\n    - name: stdout\n      match: ${tag}\n",
		want: "output: name=stdout; match=app\n",
	}, {
		name: "empty sections and a file of comments",
		src:  "# nothing yet\npipeline:\n  inputs:\n  filters:\n",
		want: "",
	}, {
		name: "parsers",
		src:  "parsers:\n  - name: json_time\n    format: json\n    time_key: time\n",
		want: "parser: name=json_time; format=json; time_key=time\n",
	}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m, _, err := ParseYAML("fluent-bit.yaml", []byte(tt.src))
			if err != nil {
				t.Fatal(err)
			}
			if got := describe(m); got != tt.want {
				t.Errorf("model:\n%s\nwant:\n%s", got, tt.want)
			}
		})
	}
}

func TestParseYAMLPositions(t *testing.T) {
	src := "service:\n  flush: 1\npipeline:\n  inputs:\n    - name: tail\n      path: [/a.log, /b.log]\n"
	m, _, err := ParseYAML("f.yaml", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct{ got, want Position }{
		{m.Service.Pos, Position{"f.yaml", 1, 1}},
		{m.Service.Params[0].Pos, Position{"f.yaml", 2, 10}},
		{m.Inputs[0].Pos, Position{"f.yaml", 5, 7}},
		{m.Inputs[0].Params[1].Pos, Position{"f.yaml", 6, 14}},
		{m.Inputs[0].Params[2].Pos, Position{"f.yaml", 6, 22}},
	} {
		if c.got != c.want {
			t.Errorf("position %v, want %v", c.got, c.want)
		}
	}
}

func TestParseYAMLErrors(t *testing.T) {
	const topKeys = "valid top-level keys are env, includes, service, pipeline, parsers, multiline_parsers"
	tests := []struct {
		name, src string
		want      []wantError
	}{{
		name: "syntax error at its line",
		src:  "service:\n  flush: 1\npipeline:\n  inputs:\n    - name: cpu\n   tag: x\n",
		want: []wantError{{"f.yaml:6", "invalid YAML: did not find expected key (in the block that starts on line 3)", "indentation"}},
	}, {
		name: "syntax error deep in a long block, found by bisection",
		src:  "pipeline:\n  inputs:\n" + strings.Repeat("    - name: cpu\n      tag: cpu\n", 40) + "     bad: x\n" + strings.Repeat("    - name: mem\n", 20),
		want: []wantError{{"f.yaml:83", "did not find expected '-' indicator (in the block that starts on line 2)", "indentation"}},
	}, {
		name: "unclosed quote",
		src:  "service:\n  flush: \"1\n  log_level: info\n",
		want: []wantError{{"f.yaml:2", "invalid YAML: found unexpected end of stream", "never closed"}},
	}, {
		name: "tab indentation",
		src:  "service:\n\tflush: 1\n",
		want: []wantError{{"f.yaml:2", "invalid YAML", "spaces, not tabs"}},
	}, {
		name: "unknown top-level key",
		src:  "pipelines:\n  inputs: []\n",
		want: []wantError{{"f.yaml:1:1", `unknown top-level key "pipelines"`, `did you mean "pipeline"? ` + topKeys}},
	}, {
		name: "unsupported top-level key",
		src:  "customs:\n  - name: calyptia\n",
		want: []wantError{{"f.yaml:1:1", `"customs" is a Fluent Bit feature Sluice does not support`, topKeys}},
	}, {
		name: "unknown pipeline key",
		src:  "pipeline:\n  input:\n    - name: cpu\n",
		want: []wantError{{"f.yaml:2:3", `unknown key "input" in pipeline`, `did you mean "inputs"?`}},
	}, {
		name: "a mapping value cannot be a parameter",
		src:  "pipeline:\n  inputs:\n    - name: cpu\n      processors:\n        logs:\n          - name: content_modifier\n",
		want: []wantError{{"f.yaml:5:9", "pipeline.inputs[0].processors is a mapping", "does not support processors"}},
	}, {
		name: "a key without a value",
		src:  "pipeline:\n  outputs:\n    - name: stdout\n      match:\n",
		want: []wantError{{"f.yaml:4:13", "pipeline.outputs[0].match has no value", "''"}},
	}, {
		name: "a list item must be a scalar",
		src:  "pipeline:\n  inputs:\n    - name: tail\n      path: [{a: b}]\n",
		want: []wantError{{"f.yaml:4:14", "pipeline.inputs[0].path[0] must be a string", ""}},
	}, {
		name: "plugins must be a list",
		src:  "pipeline:\n  inputs:\n    name: cpu\n",
		want: []wantError{{"f.yaml:3:5", "pipeline.inputs must be a list of mappings", "- name: PLUGIN"}},
	}, {
		name: "rule missing a field, rule with an unknown key",
		src: "multiline_parsers:\n  - name: ml\n    rules:\n      - state: start_state\n        regex: /a/\n" +
			"      - state: cont\n        regex: /b/\n        next: cont\n",
		want: []wantError{
			{"f.yaml:4:9", "multiline_parsers[0].rules[0] has no next_state", "state, regex and next_state"},
			{"f.yaml:8:9", `multiline_parsers[0].rules[1]: unknown key "next"`, ""},
		},
	}, {
		name: "two documents",
		src:  "service:\n  flush: 1\n---\nservice:\n  flush: 2\n",
		want: []wantError{{"f.yaml:3:1", "one YAML document", "---"}},
	}, {
		name: "top level is a list",
		src:  "- name: cpu\n",
		want: []wantError{{"f.yaml:1:1", "the top level of a YAML configuration must be a mapping", topKeys}},
	}, {
		name: "env uri",
		src:  "env:\n  - name: TOKEN\n    uri: file:///run/secrets/token\n",
		want: []wantError{{"f.yaml:3:5", "uri (a variable read from a file) is not supported", ""}},
	}, {
		name: "every error of the file is reported",
		src:  "servce:\n  flush: 1\npipeline:\n  outputs:\n    - name: stdout\n      match:\n",
		want: []wantError{
			{"f.yaml:1:1", `unknown top-level key "servce"`, `did you mean "service"?`},
			{"f.yaml:6:13", "match has no value", ""},
		},
	}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m, _, err := ParseYAML("f.yaml", []byte(tt.src))
			if m != nil {
				t.Errorf("got a model with errors: %v", describe(m))
			}
			checkErrors(t, err, tt.want)
		})
	}
}

func TestYAMLKey(t *testing.T) {
	for in, want := range map[string]string{
		"logLevel":         "log_level",
		"log_level":        "log_level",
		"Log_Level":        "Log_Level",
		"name":             "name",
		"storage.path":     "storage.path",
		"multiline.parser": "multiline.parser",
		"HTTPServer":       "HTTPServer",
		"httpServerPort":   "http_server_port",
	} {
		if got := yamlKey(in); got != want {
			t.Errorf("yamlKey(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestParseYAMLUndefinedVariableWarning(t *testing.T) {
	src := "pipeline:\n  outputs:\n    - name: stdout\n      match: ${SLUICE_TEST_UNSET}\n"
	_, warnings, err := ParseYAML("f.yaml", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	if len(warnings) != 1 || !strings.HasPrefix(warnings[0].String(), "f.yaml:4:14: variable ${SLUICE_TEST_UNSET}") {
		t.Errorf("warnings %v", warnings)
	}
}
