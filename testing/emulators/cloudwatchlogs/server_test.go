package cloudwatchlogs

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	cwl "github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs/types"
	"github.com/aws/smithy-go"
)

var now = time.Date(2026, 11, 22, 12, 0, 0, 0, time.UTC)

// newClient serves a fresh emulator and returns an SDK client on it.
func newClient(t *testing.T, opts Options) (*Server, *cwl.Client) {
	t.Helper()
	if opts.Now == nil {
		opts.Now = func() time.Time { return now }
	}
	emu := New(opts)
	srv := httptest.NewServer(emu)
	t.Cleanup(srv.Close)
	client := cwl.New(cwl.Options{
		Region:       "us-east-1",
		BaseEndpoint: aws.String(srv.URL),
		Credentials:  credentials.NewStaticCredentialsProvider("AKIDEMU", "secret", ""),
		Retryer:      aws.NopRetryer{},
	})
	return emu, client
}

func mustCreate(t *testing.T, c *cwl.Client, group, stream string) {
	t.Helper()
	ctx := context.Background()
	if _, err := c.CreateLogGroup(ctx, &cwl.CreateLogGroupInput{LogGroupName: aws.String(group)}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.CreateLogStream(ctx, &cwl.CreateLogStreamInput{LogGroupName: aws.String(group), LogStreamName: aws.String(stream)}); err != nil {
		t.Fatal(err)
	}
}

func events(n int, ts func(i int) int64, msg func(i int) string) []types.InputLogEvent {
	out := make([]types.InputLogEvent, n)
	for i := range out {
		out[i] = types.InputLogEvent{Timestamp: aws.Int64(ts(i)), Message: aws.String(msg(i))}
	}
	return out
}

func code(err error) (string, string) {
	var api smithy.APIError
	if errors.As(err, &api) {
		return api.ErrorCode(), api.ErrorMessage()
	}
	return "", ""
}

func TestPutLogEventsRules(t *testing.T) {
	base := now.UnixMilli()
	same := func(int) int64 { return base }
	short := func(int) string { return "m" }
	tests := []struct {
		name    string
		events  []types.InputLogEvent
		code    string
		message string
	}{
		{"accepted", events(3, same, short), "", ""},
		{"10000 events", events(10000, same, short), "", ""},
		{"10001 events", events(10001, same, short), "InvalidParameterException", "less than or equal to 10000"},
		{"empty message", events(2, same, func(i int) string { return strings.Repeat("x", i) }), "InvalidParameterException", "logEvents.1.member.message"},
		{"event at its limit", events(1, same, func(int) string { return strings.Repeat("x", 262144-26) }), "", ""},
		{"event over its limit", events(1, same, func(int) string { return strings.Repeat("x", 262144-25) }),
			"InvalidParameterException", "Log event too large: 262145 bytes exceeds limit of 262144"},
		{"four largest events fill 1 MiB", events(4, same, func(int) string { return strings.Repeat("x", 262144-26) }), "", ""},
		{"batch exactly 1 MiB", events(8, same, func(int) string { return strings.Repeat("x", 1048576/8-26) }), "", ""},
		{"batch 1 byte over", events(8, same, func(i int) string { return strings.Repeat("x", 1048576/8-26+map[bool]int{true: 1}[i == 0]) }),
			"InvalidParameterException", "Upload too large: 1048577 bytes exceeds limit of 1048576"},
		{"out of order", events(2, func(i int) int64 { return base - int64(i) }, short),
			"InvalidParameterException", "Log events in a single PutLogEvents request must be in chronological order."},
		{"span exactly 24 h", events(2, func(i int) int64 { return base - int64(1-i)*24*3600*1000 }, short), "", ""},
		{"span over 24 h", events(2, func(i int) int64 { return base - int64(1-i)*(24*3600*1000+1) }, short),
			"InvalidParameterException", "cannot span more than 24 hours"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			emu, c := newClient(t, Options{})
			mustCreate(t, c, "g", "s")
			_, err := c.PutLogEvents(context.Background(), &cwl.PutLogEventsInput{LogGroupName: aws.String("g"), LogStreamName: aws.String("s"), LogEvents: tt.events})
			gotCode, gotMsg := code(err)
			if tt.code == "" {
				if err != nil {
					t.Fatal(err)
				}
				if got := len(emu.Events("g", "s")); got != len(tt.events) {
					t.Fatalf("stored %d events, want %d", got, len(tt.events))
				}
				return
			}
			if gotCode != tt.code || !strings.Contains(gotMsg, tt.message) {
				t.Fatalf("got %s %q, want %s containing %q", gotCode, gotMsg, tt.code, tt.message)
			}
			if len(emu.Events("g", "s")) != 0 {
				t.Fatal("a rejected call stored events")
			}
		})
	}
}

func TestPutLogEventsMissingResources(t *testing.T) {
	_, c := newClient(t, Options{})
	ctx := context.Background()
	in := &cwl.PutLogEventsInput{LogGroupName: aws.String("g"), LogStreamName: aws.String("s"), LogEvents: events(1, func(int) int64 { return now.UnixMilli() }, func(int) string { return "m" })}
	_, err := c.PutLogEvents(ctx, in)
	if cd, msg := code(err); cd != "ResourceNotFoundException" || msg != "The specified log group does not exist." {
		t.Fatalf("missing group: %s %q", cd, msg)
	}
	c.CreateLogGroup(ctx, &cwl.CreateLogGroupInput{LogGroupName: aws.String("g")})
	_, err = c.PutLogEvents(ctx, in)
	if cd, msg := code(err); cd != "ResourceNotFoundException" || msg != "The specified log stream does not exist." {
		t.Fatalf("missing stream: %s %q", cd, msg)
	}
	_, err = c.CreateLogGroup(ctx, &cwl.CreateLogGroupInput{LogGroupName: aws.String("g")})
	if cd, _ := code(err); cd != "ResourceAlreadyExistsException" {
		t.Fatalf("second CreateLogGroup: %v", err)
	}
	_, err = c.CreateLogGroup(ctx, &cwl.CreateLogGroupInput{LogGroupName: aws.String("bad name!")})
	if cd, _ := code(err); cd != "InvalidParameterException" {
		t.Fatalf("bad group name: %v", err)
	}
	_, err = c.CreateLogStream(ctx, &cwl.CreateLogStreamInput{LogGroupName: aws.String("g"), LogStreamName: aws.String("a:b")})
	if cd, _ := code(err); cd != "InvalidParameterException" {
		t.Fatalf("bad stream name: %v", err)
	}
}

func TestRejectedLogEventsInfo(t *testing.T) {
	emu, c := newClient(t, Options{})
	mustCreate(t, c, "g", "s")
	ctx := context.Background()
	day := int64(24 * 3600 * 1000)
	_, err := c.PutRetentionPolicy(ctx, &cwl.PutRetentionPolicyInput{LogGroupName: aws.String("g"), RetentionInDays: aws.Int32(1)})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.PutRetentionPolicy(ctx, &cwl.PutRetentionPolicyInput{LogGroupName: aws.String("g"), RetentionInDays: aws.Int32(2)}); err == nil {
		t.Fatal("retention of 2 days accepted")
	}
	// Batches must span 24 h at most, so test too old and too new apart.
	old := now.UnixMilli() - 14*day - 1000
	out, err := c.PutLogEvents(ctx, &cwl.PutLogEventsInput{LogGroupName: aws.String("g"), LogStreamName: aws.String("s"),
		LogEvents: events(3, func(i int) int64 { return old + int64(i)*1000 }, func(int) string { return "m" })})
	if err != nil {
		t.Fatal(err)
	}
	if r := out.RejectedLogEventsInfo; r == nil || aws.ToInt32(r.TooOldLogEventEndIndex) != 1 || aws.ToInt32(r.ExpiredLogEventEndIndex) != 3 {
		t.Fatalf("rejected info %+v", r)
	}
	future := now.UnixMilli() + 2*3600*1000 - 1
	out, err = c.PutLogEvents(ctx, &cwl.PutLogEventsInput{LogGroupName: aws.String("g"), LogStreamName: aws.String("s"),
		LogEvents: events(3, func(i int) int64 { return future + int64(i) }, func(int) string { return "m" })})
	if err != nil {
		t.Fatal(err)
	}
	if r := out.RejectedLogEventsInfo; r == nil || aws.ToInt32(r.TooNewLogEventStartIndex) != 2 {
		t.Fatalf("rejected info %+v", r)
	}
	if got := len(emu.Events("g", "s")); got != 2 {
		t.Fatalf("stored %d events, want 2", got)
	}
}

func TestSequenceTokens(t *testing.T) {
	_, c := newClient(t, Options{RequireSequenceToken: true})
	mustCreate(t, c, "g", "s")
	ctx := context.Background()
	in := &cwl.PutLogEventsInput{LogGroupName: aws.String("g"), LogStreamName: aws.String("s"), LogEvents: events(1, func(int) int64 { return now.UnixMilli() }, func(int) string { return "m" })}
	out, err := c.PutLogEvents(ctx, in)
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.PutLogEvents(ctx, in)
	var bad *types.InvalidSequenceTokenException
	if !errors.As(err, &bad) || aws.ToString(bad.ExpectedSequenceToken) != aws.ToString(out.NextSequenceToken) {
		t.Fatalf("put without token: %v", err)
	}
	in.SequenceToken = out.NextSequenceToken
	if _, err := c.PutLogEvents(ctx, in); err != nil {
		t.Fatal(err)
	}
}

func TestFaults(t *testing.T) {
	ctx := context.Background()
	put := func(c *cwl.Client, group string) error {
		_, err := c.PutLogEvents(ctx, &cwl.PutLogEventsInput{LogGroupName: aws.String(group), LogStreamName: aws.String("s"),
			LogEvents: events(1, func(int) int64 { return now.UnixMilli() }, func(int) string { return "m" })})
		return err
	}
	tests := []struct {
		name   string
		faults Faults
		group  string
		code   string
	}{
		{"throttle", Faults{ThrottleRate: 1}, "g", "ThrottlingException"},
		{"errors", Faults{ErrorRate: 1}, "g", "ServiceUnavailableException"},
		{"outage", Faults{Unavailable: true}, "g", "ServiceUnavailableException"},
		{"outage of another operation", Faults{Unavailable: true, Operations: []string{"CreateLogGroup"}}, "g", ""},
		{"denied group", Faults{DenyGroups: []string{"g"}}, "g", "AccessDeniedException"},
		{"other group allowed", Faults{DenyGroups: []string{"x"}}, "g", ""},
		{"latency", Faults{Latency: 10 * time.Millisecond}, "g", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			emu, c := newClient(t, Options{})
			mustCreate(t, c, "g", "s")
			emu.SetFaults(tt.faults)
			err := put(c, tt.group)
			if got, msg := code(err); got != tt.code {
				t.Fatalf("code %q (%v), want %q", got, err, tt.code)
			} else if got == "AccessDeniedException" && !strings.Contains(msg, "logs:PutLogEvents on resource: arn:aws:logs:us-east-1:123456789012:log-group:g:log-stream:s") {
				t.Fatalf("denied message %q", msg)
			}
		})
	}
	t.Run("dropped connections", func(t *testing.T) {
		emu, c := newClient(t, Options{})
		mustCreate(t, c, "g", "s")
		emu.SetFaults(Faults{DropConnections: true})
		if err := put(c, "g"); err == nil {
			t.Fatal("no error")
		} else if cd, _ := code(err); cd != "" {
			t.Fatalf("want a network error, got %s", cd)
		}
	})
}

func TestSignatureRequired(t *testing.T) {
	emu := New(Options{AccessKeyID: "AKIDEMU"})
	srv := httptest.NewServer(emu)
	defer srv.Close()
	post := func(auth string) string {
		req, _ := http.NewRequest("POST", srv.URL, strings.NewReader(`{"logGroupName":"g"}`))
		req.Header.Set("X-Amz-Target", "Logs_20140328.CreateLogGroup")
		req.Header.Set("Content-Type", "application/x-amz-json-1.1")
		if auth != "" {
			req.Header.Set("Authorization", auth)
			req.Header.Set("X-Amz-Date", "20261122T120000Z")
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		return resp.Header.Get("X-Amzn-Errortype")
	}
	sig := strings.Repeat("ab", 32)
	for auth, want := range map[string]string{
		"":         "MissingAuthenticationTokenException",
		"Bearer x": "IncompleteSignatureException",
		"AWS4-HMAC-SHA256 Credential=AKIDEMU/20261122/us-east-1/logs/aws4_request, SignedHeaders=content-type;host;x-amz-date, Signature=" + sig: "",
		"AWS4-HMAC-SHA256 Credential=OTHER/20261122/us-east-1/logs/aws4_request, SignedHeaders=content-type;host;x-amz-date, Signature=" + sig:   "UnrecognizedClientException",
		"AWS4-HMAC-SHA256 Credential=AKIDEMU/20261122/us-east-1/logs/aws4_request, SignedHeaders=content-type, Signature=" + sig:                 "IncompleteSignatureException",
	} {
		if got := post(auth); got != want {
			t.Errorf("Authorization %q: error %q, want %q", auth, got, want)
		}
	}
}

func TestReads(t *testing.T) {
	_, c := newClient(t, Options{})
	ctx := context.Background()
	mustCreate(t, c, "/app/a", "s1")
	if _, err := c.CreateLogStream(ctx, &cwl.CreateLogStreamInput{LogGroupName: aws.String("/app/a"), LogStreamName: aws.String("s2")}); err != nil {
		t.Fatal(err)
	}
	base := now.UnixMilli()
	for i, s := range []string{"s1", "s2"} {
		_, err := c.PutLogEvents(ctx, &cwl.PutLogEventsInput{LogGroupName: aws.String("/app/a"), LogStreamName: aws.String(s),
			LogEvents: events(3, func(j int) int64 { return base + int64(j*2+i) }, func(j int) string { return s + " error " + string(rune('a'+j)) })})
		if err != nil {
			t.Fatal(err)
		}
	}
	groups, err := c.DescribeLogGroups(ctx, &cwl.DescribeLogGroupsInput{LogGroupNamePrefix: aws.String("/app")})
	if err != nil || len(groups.LogGroups) != 1 || aws.ToString(groups.LogGroups[0].LogGroupName) != "/app/a" {
		t.Fatalf("DescribeLogGroups: %+v %v", groups, err)
	}
	streams, err := c.DescribeLogStreams(ctx, &cwl.DescribeLogStreamsInput{LogGroupName: aws.String("/app/a")})
	if err != nil || len(streams.LogStreams) != 2 {
		t.Fatalf("DescribeLogStreams: %+v %v", streams, err)
	}
	got, err := c.GetLogEvents(ctx, &cwl.GetLogEventsInput{LogGroupName: aws.String("/app/a"), LogStreamName: aws.String("s1"), StartFromHead: aws.Bool(true), Limit: aws.Int32(2)})
	if err != nil || len(got.Events) != 2 || aws.ToString(got.Events[0].Message) != "s1 error a" {
		t.Fatalf("GetLogEvents: %+v %v", got, err)
	}
	next, err := c.GetLogEvents(ctx, &cwl.GetLogEventsInput{LogGroupName: aws.String("/app/a"), LogStreamName: aws.String("s1"), NextToken: got.NextForwardToken})
	if err != nil || len(next.Events) != 1 || aws.ToString(next.Events[0].Message) != "s1 error c" {
		t.Fatalf("GetLogEvents page 2: %+v %v", next, err)
	}
	filtered, err := c.FilterLogEvents(ctx, &cwl.FilterLogEventsInput{LogGroupName: aws.String("/app/a"), FilterPattern: aws.String(`"error b"`)})
	if err != nil || len(filtered.Events) != 2 || aws.ToString(filtered.Events[0].LogStreamName) != "s1" {
		t.Fatalf("FilterLogEvents: %+v %v", filtered, err)
	}
}

func TestAdminAPI(t *testing.T) {
	run, err := Start("127.0.0.1:0", Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer run.Close()
	do := func(method, path, body string) *http.Response {
		req, _ := http.NewRequest(method, run.URL+path, strings.NewReader(body))
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { resp.Body.Close() })
		return resp
	}
	if resp := do("PUT", "/_emulator/faults", `{"throttle_rate":0.5,"deny_groups":["a"]}`); resp.StatusCode != http.StatusNoContent {
		t.Fatalf("PUT faults: %s", resp.Status)
	}
	run.mu.Lock()
	f := run.faults
	run.mu.Unlock()
	if f.ThrottleRate != 0.5 || len(f.DenyGroups) != 1 {
		t.Fatalf("faults %+v", f)
	}
	if resp := do("PUT", "/_emulator/faults", `{"throttle_rate":`); resp.StatusCode != http.StatusBadRequest {
		t.Fatalf("bad faults: %s", resp.Status)
	}
	c := cwl.New(cwl.Options{Region: "us-east-1", BaseEndpoint: aws.String(run.URL),
		Credentials: credentials.NewStaticCredentialsProvider("AKID", "s", ""), Retryer: aws.NopRetryer{}})
	run.SetFaults(Faults{})
	mustCreate(t, c, "g", "s")
	c.PutLogEvents(context.Background(), &cwl.PutLogEventsInput{LogGroupName: aws.String("g"), LogStreamName: aws.String("s"),
		LogEvents: events(2, func(int) int64 { return time.Now().UnixMilli() }, func(int) string { return "hello" })})
	var evs []Event
	if err := json.NewDecoder(do("GET", "/_emulator/events?group=g&stream=s", "").Body).Decode(&evs); err != nil || len(evs) != 2 {
		t.Fatalf("events %v %v", evs, err)
	}
	var st Stats
	if err := json.NewDecoder(do("GET", "/_emulator/stats", "").Body).Decode(&st); err != nil || st.Events != 2 || st.Calls["PutLogEvents"] != 1 || len(st.Batches) != 1 || st.Batches[0].Bytes != 2*(5+26) {
		t.Fatalf("stats %+v %v", st, err)
	}
	do("POST", "/_emulator/reset", "")
	if len(run.Groups()) != 0 {
		t.Fatal("reset kept groups")
	}
}

func TestDownAndUp(t *testing.T) {
	run, err := Start("127.0.0.1:0", Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer run.Close()
	get := func() error {
		resp, err := http.Get(run.URL + "/_emulator/stats")
		if err == nil {
			resp.Body.Close()
		}
		return err
	}
	if err := get(); err != nil {
		t.Fatal(err)
	}
	run.Down()
	if err := get(); err == nil {
		t.Fatal("answered while down")
	}
	if err := run.Up(); err != nil {
		t.Fatal(err)
	}
	if err := get(); err != nil {
		t.Fatal(err)
	}
}

func TestSignatureVerified(t *testing.T) {
	for _, tt := range []struct {
		name, secret, token, code string
	}{
		{"right secret", "secret", "", ""},
		{"right secret and a session token", "secret", "session", ""},
		{"wrong secret", "other", "", "InvalidSignatureException"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			emu := New(Options{AccessKeyID: "AKIDEMU", SecretAccessKey: "secret"})
			srv := httptest.NewServer(emu)
			defer srv.Close()
			c := cwl.New(cwl.Options{Region: "us-east-1", BaseEndpoint: aws.String(srv.URL), Retryer: aws.NopRetryer{},
				Credentials: credentials.NewStaticCredentialsProvider("AKIDEMU", tt.secret, tt.token)})
			_, err := c.CreateLogGroup(context.Background(), &cwl.CreateLogGroupInput{LogGroupName: aws.String("g")})
			if got, _ := code(err); got != tt.code {
				t.Fatalf("code %q (%v), want %q", got, err, tt.code)
			}
			if tt.code != "" {
				return
			}
			// A signed header changed after signing is caught.
			_, err = c.PutLogEvents(context.Background(), &cwl.PutLogEventsInput{LogGroupName: aws.String("g"), LogStreamName: aws.String("s"),
				LogEvents: events(1, func(int) int64 { return time.Now().UnixMilli() }, func(int) string { return "m" })},
				func(o *cwl.Options) {
					o.HTTPClient = tamperingClient{}
				})
			if got, _ := code(err); got != "InvalidSignatureException" {
				t.Fatalf("tampered request: %v", err)
			}
		})
	}
}

// tamperingClient changes the signed X-Amz-Target header after signing.
type tamperingClient struct{}

func (tamperingClient) Do(r *http.Request) (*http.Response, error) {
	r.Header.Set("X-Amz-Target", "Logs_20140328.CreateLogStream")
	return http.DefaultClient.Do(r)
}
