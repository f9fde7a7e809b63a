package awsconf

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	cwl "github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"

	cwlemu "github.com/sluice-logs/sluice/testing/emulators/cloudwatchlogs"
)

// fakeSTS answers AssumeRole and AssumeRoleWithWebIdentity with the
// access key ASIA<ACTION>, recording the forms it was sent.
type fakeSTS struct {
	mu    sync.Mutex
	forms []map[string]string
}

func (f *fakeSTS) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	r.ParseForm()
	form := map[string]string{}
	for k := range r.PostForm {
		form[k] = r.PostForm.Get(k)
	}
	f.mu.Lock()
	f.forms = append(f.forms, form)
	f.mu.Unlock()
	action := form["Action"]
	key := "ASIA" + strings.ToUpper(action)
	fmt.Fprintf(w, `<%[1]sResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><%[1]sResult>
<Credentials><AccessKeyId>%[2]s</AccessKeyId><SecretAccessKey>secret</SecretAccessKey><SessionToken>token</SessionToken><Expiration>2099-01-01T00:00:00Z</Expiration></Credentials>
<AssumedRoleUser><Arn>arn:aws:sts::123456789012:assumed-role/r/sluice</Arn><AssumedRoleId>AROA:sluice</AssumedRoleId></AssumedRoleUser>
</%[1]sResult><ResponseMetadata><RequestId>1</RequestId></ResponseMetadata></%[1]sResponse>`, action, key)
}

// logsServer is an emulator that records the User-Agent and access key
// of each call.
type logsServer struct {
	emu        *cwlemu.Server
	mu         sync.Mutex
	userAgents []string
	keys       []string
}

func (l *logsServer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	l.mu.Lock()
	l.userAgents = append(l.userAgents, r.Header.Get("User-Agent"))
	if _, rest, ok := strings.Cut(r.Header.Get("Authorization"), "Credential="); ok {
		key, _, _ := strings.Cut(rest, "/")
		l.keys = append(l.keys, key)
	}
	l.mu.Unlock()
	l.emu.ServeHTTP(w, r)
}

// callLogs loads s and makes one CloudWatch Logs call with it.
func callLogs(t *testing.T, s Settings) error {
	t.Helper()
	cfg, err := Load(context.Background(), s)
	if err != nil {
		t.Fatal(err)
	}
	_, err = cwl.NewFromConfig(cfg).CreateLogGroup(context.Background(), &cwl.CreateLogGroupInput{LogGroupName: aws.String("g")})
	return err
}

func TestCredentialChain(t *testing.T) {
	sts := &fakeSTS{}
	stsSrv := httptest.NewServer(sts)
	defer stsSrv.Close()
	logs := &logsServer{emu: cwlemu.New(cwlemu.Options{})}
	logsSrv := httptest.NewServer(logs)
	defer logsSrv.Close()
	dir := t.TempDir()
	tokenFile := filepath.Join(dir, "token")
	os.WriteFile(tokenFile, []byte("pod-identity-token"), 0o600)
	var containerAuth string
	container := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		containerAuth = r.Header.Get("Authorization")
		fmt.Fprint(w, `{"AccessKeyId":"ASIACONTAINER","SecretAccessKey":"s","Token":"t","Expiration":"2099-01-01T00:00:00Z"}`)
	}))
	defer container.Close()

	tests := []struct {
		name    string
		env     map[string]string
		s       Settings
		wantKey string
		check   func(t *testing.T)
	}{
		{"environment", map[string]string{"AWS_ACCESS_KEY_ID": "AKIDENV", "AWS_SECRET_ACCESS_KEY": "s"}, Settings{}, "AKIDENV", nil},
		{"shared credentials profile", map[string]string{}, Settings{Profile: "team"}, "AKIDPROFILE", nil},
		{"container credentials (ECS task role, EKS Pod Identity)", map[string]string{
			"AWS_CONTAINER_CREDENTIALS_FULL_URI":     container.URL + "/creds",
			"AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE": tokenFile,
		}, Settings{}, "ASIACONTAINER", func(t *testing.T) {
			if containerAuth != "pod-identity-token" {
				t.Errorf("container endpoint got Authorization %q", containerAuth)
			}
		}},
		{"web identity (EKS IRSA)", map[string]string{
			"AWS_ROLE_ARN": "arn:aws:iam::123456789012:role/irsa", "AWS_WEB_IDENTITY_TOKEN_FILE": tokenFile,
			"AWS_ENDPOINT_URL_STS": stsSrv.URL,
		}, Settings{}, "ASIAASSUMEROLEWITHWEBIDENTITY", nil},
		{"role_arn with external_id and sts_endpoint", map[string]string{"AWS_ACCESS_KEY_ID": "AKIDENV", "AWS_SECRET_ACCESS_KEY": "s"},
			Settings{RoleARN: "arn:aws:iam::123456789012:role/writer", ExternalID: "ext-42", STSEndpoint: stsSrv.URL},
			"ASIAASSUMEROLE", func(t *testing.T) {
				sts.mu.Lock()
				defer sts.mu.Unlock()
				last := sts.forms[len(sts.forms)-1]
				if last["RoleArn"] != "arn:aws:iam::123456789012:role/writer" || last["ExternalId"] != "ext-42" || last["RoleSessionName"] != "sluice" {
					t.Errorf("AssumeRole form %v", last)
				}
			}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			isolate(t)
			t.Setenv("AWS_ACCESS_KEY_ID", "")
			t.Setenv("AWS_SECRET_ACCESS_KEY", "")
			t.Setenv("AWS_EC2_METADATA_DISABLED", "true")
			creds := filepath.Join(t.TempDir(), "credentials")
			os.WriteFile(creds, []byte("[team]\naws_access_key_id = AKIDPROFILE\naws_secret_access_key = s\n"), 0o600)
			t.Setenv("AWS_SHARED_CREDENTIALS_FILE", creds)
			for k, v := range tt.env {
				t.Setenv(k, v)
			}
			s := tt.s
			s.Section, s.Region, s.Endpoint, s.ExtraUserAgent, s.RoleSessionName = "o.0", "us-east-1", logsSrv.URL, "firelens-test", "sluice"
			err := callLogs(t, s)
			if err != nil && !strings.Contains(err.Error(), "ResourceAlreadyExists") {
				t.Fatal(err)
			}
			logs.mu.Lock()
			key, ua := logs.keys[len(logs.keys)-1], logs.userAgents[len(logs.userAgents)-1]
			logs.mu.Unlock()
			if key != tt.wantKey {
				t.Errorf("signed with %q, want %q", key, tt.wantKey)
			}
			if !strings.Contains(ua, "firelens-test") {
				t.Errorf("User-Agent %q lacks extra_user_agent", ua)
			}
			if tt.check != nil {
				tt.check(t)
			}
		})
	}
}

func TestRetryer(t *testing.T) {
	if got := newRetryer(false).MaxAttempts(); got != 1 {
		t.Errorf("auto_retry_requests off: %d attempts", got)
	}
	if got := newRetryer(true).MaxAttempts(); got != 2 {
		t.Errorf("auto_retry_requests on: %d attempts", got)
	}
}
