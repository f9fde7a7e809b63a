package firehose

import (
	"bytes"
	"context"
	"errors"
	"net/http"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	sdk "github.com/aws/aws-sdk-go-v2/service/firehose"
	"github.com/aws/aws-sdk-go-v2/service/firehose/types"
	"github.com/aws/smithy-go"
)

func start(t *testing.T, inj Injection) (*Server, *sdk.Client, string) {
	t.Helper()
	s := New(inj, "logs")
	url, err := s.Start("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.Close)
	c := sdk.New(sdk.Options{Region: "us-east-1", BaseEndpoint: aws.String(url), Retryer: aws.NopRetryer{},
		Credentials: credentials.NewStaticCredentialsProvider("AKID", "secret", "")})
	return s, c, url
}

func records(sizes ...int) []types.Record {
	recs := make([]types.Record, len(sizes))
	for i, n := range sizes {
		recs[i].Data = bytes.Repeat([]byte{'a' + byte(i%26)}, n)
	}
	return recs
}

func many(n, size int) []int {
	s := make([]int, n)
	for i := range s {
		s[i] = size
	}
	return s
}

func TestLimits(t *testing.T) {
	tests := []struct {
		name   string
		stream string
		recs   []types.Record
		code   string
	}{
		{"500 records", "logs", records(many(500, 10)...), ""},
		{"501 records", "logs", records(many(501, 10)...), "ValidationException"},
		{"record of 1,000 KiB", "logs", records(MaxRecordBytes), ""},
		{"record over 1,000 KiB", "logs", records(MaxRecordBytes + 1), "ValidationException"},
		{"4 MiB call", "logs", records(MaxRecordBytes, MaxRecordBytes, MaxRecordBytes, MaxRecordBytes, MaxBatchBytes-4*MaxRecordBytes), ""},
		{"over 4 MiB call", "logs", records(MaxRecordBytes, MaxRecordBytes, MaxRecordBytes, MaxRecordBytes, MaxBatchBytes-4*MaxRecordBytes+1), "InvalidArgumentException"},
		{"unknown stream", "nope", records(1), "ResourceNotFoundException"},
		{"invalid stream name", "a b", records(1), "ValidationException"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, c, _ := start(t, Injection{})
			_, err := c.PutRecordBatch(context.Background(), &sdk.PutRecordBatchInput{DeliveryStreamName: aws.String(tt.stream), Records: tt.recs})
			var api smithy.APIError
			switch {
			case tt.code == "" && err != nil:
				t.Fatalf("rejected: %v", err)
			case tt.code != "" && (!errors.As(err, &api) || api.ErrorCode() != tt.code):
				t.Fatalf("error %v, want %s", err, tt.code)
			}
			if tt.code == "" && len(s.Records("logs")) != len(tt.recs) {
				t.Errorf("%d records stored", len(s.Records("logs")))
			}
			if tt.code != "" && len(s.Records("logs")) != 0 {
				t.Errorf("a rejected call stored records")
			}
		})
	}
}

func TestInjection(t *testing.T) {
	s, c, _ := start(t, Injection{FailFraction: 1, ThrottleEvery: 3})
	put := func() (*sdk.PutRecordBatchOutput, error) {
		return c.PutRecordBatch(context.Background(), &sdk.PutRecordBatchInput{DeliveryStreamName: aws.String("logs"), Records: records(5, 5)})
	}
	out, err := put()
	if err != nil || *out.FailedPutCount != 2 || *out.RequestResponses[0].ErrorCode != "ServiceUnavailableException" {
		t.Fatalf("first call: %+v, %v; want both records failed", out, err)
	}
	if out, err = put(); err != nil || *out.FailedPutCount != 0 {
		t.Fatalf("second call: %+v, %v; want the records accepted on their second arrival", out, err)
	}
	var api smithy.APIError
	if _, err = put(); !errors.As(err, &api) || api.ErrorCode() != "ServiceUnavailableException" {
		t.Fatalf("third call: %v; want the call throttled", err)
	}
	if st := s.Stats(); len(s.Records("logs")) != 2 || st.FailedRecords != 2 || st.Throttled != 1 || st.Calls != 3 {
		t.Fatalf("stats %+v, %d records", st, len(s.Records("logs")))
	}
}

func TestRequiresSignature(t *testing.T) {
	_, _, url := start(t, Injection{})
	req, _ := http.NewRequest(http.MethodPost, url+"/", bytes.NewReader([]byte(`{}`)))
	req.Header.Set("Content-Type", "application/x-amz-json-1.1")
	req.Header.Set("X-Amz-Target", "Firehose_20150804.PutRecordBatch")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 400 || resp.Header.Get("X-Amzn-Errortype") != "MissingAuthenticationTokenException" {
		t.Fatalf("status %d, error type %q", resp.StatusCode, resp.Header.Get("X-Amzn-Errortype"))
	}
}
