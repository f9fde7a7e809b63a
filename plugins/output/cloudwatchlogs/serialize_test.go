package cloudwatchlogs

import (
	"bytes"
	"encoding/json"
	"reflect"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	cwl "github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs/types"
)

// The PutLogEvents body decodes (with encoding/json, independently of the
// writer) to the input's fields, whatever the messages hold.
func TestAppendPutLogEvents(t *testing.T) {
	type wireEvent struct {
		Message   string `json:"message"`
		Timestamp int64  `json:"timestamp"`
	}
	type wire struct {
		LogEvents     []wireEvent `json:"logEvents"`
		LogGroupName  string      `json:"logGroupName"`
		LogStreamName string      `json:"logStreamName"`
		SequenceToken *string     `json:"sequenceToken"`
	}
	tests := []struct {
		name     string
		messages []string
		token    *string
	}{
		{"plain", []string{"hello", "world"}, nil},
		{"JSON records and escapes", []string{`{"log":"a \"quoted\" line\n","n":1}`, "tab\there\\back\x01ctl", "ünïcödé ✓"}, nil},
		{"legacy sequence token", []string{"x"}, aws.String("49590302793456789012345678901234567890123456789012345678")},
		{"empty message list", nil, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := &cwl.PutLogEventsInput{LogGroupName: aws.String("/eks/prod"), LogStreamName: aws.String(`pod "a"`), SequenceToken: tt.token}
			want := wire{LogGroupName: "/eks/prod", LogStreamName: `pod "a"`, SequenceToken: tt.token, LogEvents: []wireEvent{}}
			for i, m := range tt.messages {
				in.LogEvents = append(in.LogEvents, types.InputLogEvent{Message: aws.String(m), Timestamp: aws.Int64(1700000000000 + int64(i))})
				want.LogEvents = append(want.LogEvents, wireEvent{m, 1700000000000 + int64(i)})
			}
			body := appendPutLogEvents(nil, in)
			var got wire
			dec := json.NewDecoder(bytes.NewReader(body))
			dec.DisallowUnknownFields()
			if err := dec.Decode(&got); err != nil {
				t.Fatalf("body %s: %v", body, err)
			}
			if !reflect.DeepEqual(got, want) {
				t.Fatalf("decoded %+v, want %+v", got, want)
			}
		})
	}
}
