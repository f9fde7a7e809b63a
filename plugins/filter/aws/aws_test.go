package aws

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/sluice-logs/sluice/internal/config"
	"github.com/sluice-logs/sluice/internal/plugin"
	"github.com/sluice-logs/sluice/internal/record"
)

// fakeIMDS behaves like the EC2 instance metadata service with
// HttpTokens=required (IMDSv2 only) unless v1 is allowed.
type fakeIMDS struct {
	srv      *httptest.Server
	allowV1  atomic.Bool
	down     atomic.Bool // 503 for everything
	noTags   atomic.Bool // instance metadata tags not enabled
	tokens   atomic.Int64
	mu       sync.Mutex
	valid    string // the current session token
	requests []string
}

var imdsData = map[string]string{
	"/latest/meta-data/placement/availability-zone":                      "eu-west-1b",
	"/latest/meta-data/instance-id":                                      "i-0a1b2c3d4e5f67890",
	"/latest/meta-data/instance-type":                                    "m6i.large",
	"/latest/meta-data/local-ipv4":                                       "10.0.12.34",
	"/latest/meta-data/mac":                                              "0a:1b:2c:3d:4e:5f",
	"/latest/meta-data/network/interfaces/macs/0a:1b:2c:3d:4e:5f/vpc-id": "vpc-0123456789abcdef0",
	"/latest/meta-data/ami-id":                                           "ami-0fedcba9876543210",
	"/latest/meta-data/hostname":                                         "ip-10-0-12-34.eu-west-1.compute.internal",
	"/latest/dynamic/instance-identity/document": `{"accountId":"123456789012","architecture":"x86_64","availabilityZone":"eu-west-1b",` +
		`"imageId":"ami-0fedcba9876543210","instanceId":"i-0a1b2c3d4e5f67890","instanceType":"m6i.large","privateIp":"10.0.12.34","region":"eu-west-1","version":"2017-09-30"}`,
	"/latest/meta-data/tags/instance":                           "Name\nteam\naws:autoscaling:groupName",
	"/latest/meta-data/tags/instance/Name":                      "checkout-node",
	"/latest/meta-data/tags/instance/team":                      "payments",
	"/latest/meta-data/tags/instance/aws:autoscaling:groupName": "eks-nodes",
}

func newFakeIMDS(t testing.TB) *fakeIMDS {
	m := &fakeIMDS{valid: "token-1"}
	m.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		m.mu.Lock()
		m.requests = append(m.requests, r.Method+" "+r.URL.Path)
		valid := m.valid
		m.mu.Unlock()
		if m.down.Load() {
			http.Error(w, "", http.StatusServiceUnavailable)
			return
		}
		if r.URL.Path == tokenPath {
			if r.Method != http.MethodPut || r.Header.Get(tokenTTLHeader) == "" {
				http.Error(w, "", http.StatusBadRequest)
				return
			}
			m.tokens.Add(1)
			w.Write([]byte(valid))
			return
		}
		if tok := r.Header.Get(tokenHeader); tok != valid && !(tok == "" && m.allowV1.Load()) {
			http.Error(w, "", http.StatusUnauthorized)
			return
		}
		if strings.HasPrefix(r.URL.Path, "/latest/meta-data/tags/") && m.noTags.Load() {
			http.NotFound(w, r)
			return
		}
		v, ok := imdsData[r.URL.Path]
		if !ok {
			http.NotFound(w, r)
			return
		}
		w.Write([]byte(v))
	}))
	t.Cleanup(m.srv.Close)
	return m
}

func (m *fakeIMDS) rotate(tok string) {
	m.mu.Lock()
	m.valid = tok
	m.mu.Unlock()
}

func newFilter(t testing.TB, m *fakeIMDS, kv ...string) (*Filter, error) {
	t.Helper()
	t.Setenv("AWS_EC2_METADATA_SERVICE_ENDPOINT", m.srv.URL)
	sect := &config.Section{Kind: config.KindFilter, Pos: config.Position{File: "test.conf", Line: 1}}
	sect.Params = append(sect.Params, config.Param{Key: "Name", Value: "aws"}, config.Param{Key: "Match", Value: "*"})
	for i := 0; i+1 < len(kv); i += 2 {
		sect.Params = append(sect.Params, config.Param{Key: kv[i], Value: kv[i+1]})
	}
	spec := Spec()
	cfg, err := plugin.Decode(&spec, sect, "[FILTER] aws")
	if err != nil {
		return nil, err
	}
	f, err := New(plugin.Settings{ID: "aws.0", Config: cfg})
	if err != nil {
		return nil, err
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		if err := f.Close(ctx); err != nil {
			t.Error(err)
		}
	})
	return f, nil
}

func run(t testing.TB, f *Filter, body string) string {
	t.Helper()
	var in, out record.Builder
	in.BeginEvent(record.Time(1700000000000000000), nil)
	if err := in.AppendJSONValue([]byte(body)); err != nil {
		t.Fatal(err)
	}
	res, err := f.Filter("app", in.Bytes(), &out)
	if err != nil {
		t.Fatal(err)
	}
	data := out.Bytes()
	if res == plugin.FilterUnchanged {
		data = in.Bytes()
	}
	it := record.NewIterator(data)
	if !it.Next() {
		t.Fatal(it.Err())
	}
	js, _, err := record.AppendJSON(nil, it.Event().Body)
	if err != nil {
		t.Fatal(err)
	}
	return string(js)
}

const allFields = `"az":"eu-west-1b","ec2_instance_id":"i-0a1b2c3d4e5f67890","ec2_instance_type":"m6i.large","private_ip":"10.0.12.34",` +
	`"vpc_id":"vpc-0123456789abcdef0","ami_id":"ami-0fedcba9876543210","account_id":"123456789012","hostname":"ip-10-0-12-34.eu-west-1.compute.internal"`

func TestMetadata(t *testing.T) {
	all := []string{"ec2_instance_type", "true", "private_ip", "true", "vpc_id", "true", "ami_id", "true", "account_id", "true", "hostname", "true"}
	tests := []struct {
		name    string
		params  []string
		allowV1 bool
		noTags  bool
		want    string
	}{
		{name: "defaults", want: `{"log":"x","az":"eu-west-1b","ec2_instance_id":"i-0a1b2c3d4e5f67890"}`},
		{name: "every field, IMDSv2", params: all, want: `{"log":"x",` + allFields + `}`},
		{name: "IMDSv1 allowed", params: append([]string{"imds_version", "v1"}, all...), allowV1: true, want: `{"log":"x",` + allFields + `}`},
		{name: "IMDSv1 refused (tokens required)", params: []string{"imds_version", "v1"}, want: `{"log":"x"}`},
		{name: "all tags", params: []string{"az", "false", "ec2_instance_id", "false", "tags_enabled", "true"},
			want: `{"log":"x","Name":"checkout-node","team":"payments","aws:autoscaling:groupName":"eks-nodes"}`},
		{name: "tags_include", params: []string{"ec2_instance_id", "false", "tags_enabled", "true", "tags_include", "team, Name"},
			want: `{"log":"x","az":"eu-west-1b","Name":"checkout-node","team":"payments"}`},
		{name: "tags_exclude", params: []string{"az", "false", "ec2_instance_id", "false", "tags_enabled", "true", "tags_exclude", "aws:autoscaling:groupName"},
			want: `{"log":"x","Name":"checkout-node","team":"payments"}`},
		{name: "tags not enabled on the instance", params: []string{"tags_enabled", "true"}, noTags: true,
			want: `{"log":"x","az":"eu-west-1b","ec2_instance_id":"i-0a1b2c3d4e5f67890"}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := newFakeIMDS(t)
			m.allowV1.Store(tt.allowV1)
			m.noTags.Store(tt.noTags)
			f, err := newFilter(t, m, tt.params...)
			if err != nil {
				t.Fatal(err)
			}
			for i := 0; i < 2; i++ {
				if got := run(t, f, `{"log":"x"}`); got != tt.want {
					t.Fatalf("batch %d:\ngot  %s\nwant %s", i, got, tt.want)
				}
			}
		})
	}
}

// TestIMDSDown checks that records pass while IMDS is down and get the
// metadata once it is back, fetched in the background.
func TestIMDSDown(t *testing.T) {
	m := newFakeIMDS(t)
	m.down.Store(true)
	f, err := newFilter(t, m, "retry_interval_s", "1")
	if err != nil {
		t.Fatal(err)
	}
	if got := run(t, f, `{"log":"x"}`); got != `{"log":"x"}` {
		t.Fatalf("with IMDS down: %s", got)
	}
	m.down.Store(false)
	eventually(t, "metadata once IMDS is back", func() bool {
		return run(t, f, `{"log":"x"}`) == `{"log":"x","az":"eu-west-1b","ec2_instance_id":"i-0a1b2c3d4e5f67890"}`
	})
}

// TestTokenExpiry checks that a GET refused with 401 (the session token
// expired) fetches a new token and retries.
func TestTokenExpiry(t *testing.T) {
	m := newFakeIMDS(t)
	f, err := newFilter(t, m, "az", "false", "ec2_instance_id", "false")
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	if v, err := f.imds.get(ctx, "/latest/meta-data/instance-id"); err != nil || v != "i-0a1b2c3d4e5f67890" {
		t.Fatalf("%q, %v", v, err)
	}
	m.rotate("token-2")
	if v, err := f.imds.get(ctx, "/latest/meta-data/instance-id"); err != nil || v != "i-0a1b2c3d4e5f67890" {
		t.Fatalf("after the token expired: %q, %v", v, err)
	}
	if n := m.tokens.Load(); n != 2 {
		t.Errorf("%d token requests, want 2", n)
	}
}

func TestConfigErrors(t *testing.T) {
	m := newFakeIMDS(t)
	for _, kv := range [][]string{
		{"tags_include", "a", "tags_exclude", "b"},
		{"imds_version", "v3"},
	} {
		if _, err := newFilter(t, m, kv...); err == nil {
			t.Errorf("%v: no error", kv)
		}
	}
}

func eventually(t testing.TB, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}
