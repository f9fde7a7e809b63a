package cloudwatchlogs

import (
	"bytes"
	"context"
	"net/http"
	"strconv"

	cwl "github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	"github.com/aws/smithy-go"
	smithyhttp "github.com/aws/smithy-go/transport/http"

	"github.com/sluice-logs/sluice/internal/record"
)

// putLogEventsProtocol is the SDK's awsJson1_1 protocol with a serializer
// of its own for PutLogEvents, the one call on the hot path. The SDK's
// serializer builds each body (up to 1 MiB) in a buffer grown by doubling
// and then copies it: about 4.6 bytes allocated per byte sent, which was
// most of the process's allocation in forward -> cloudwatch_logs. This one
// writes the same JSON into a buffer reused between calls (see
// withBodyBuffer). Every other operation, and the responses, go through the
// SDK's protocol unchanged.
type putLogEventsProtocol struct {
	smithyhttp.ClientProtocol
}

// bodyKey carries the caller's reusable body buffer in the context.
type bodyKey struct{}

// withBodyBuffer lends buf to the PutLogEvents calls made with the returned
// context. The caller must not reuse buf before those calls returned (the
// SDK reads the body, and rewinds it for its retries, within the call).
func withBodyBuffer(ctx context.Context, buf *[]byte) context.Context {
	return context.WithValue(ctx, bodyKey{}, buf)
}

// SerializeRequest implements smithyhttp.ClientProtocol.
func (p putLogEventsProtocol) SerializeRequest(ctx context.Context, schema *smithy.OperationSchema, in smithy.Serializable, req *smithyhttp.Request) error {
	put, ok := in.(*cwl.PutLogEventsInput)
	if !ok {
		return p.ClientProtocol.SerializeRequest(ctx, schema, in, req)
	}
	// As awsjson.Protocol.SerializeRequest sets them for awsJson1_1.
	req.Method = http.MethodPost
	if len(req.URL.Path) == 0 {
		req.URL.Path = "/"
	}
	req.Header.Set("X-Amz-Target", "Logs_20140328.PutLogEvents")
	req.Header.Set("Content-Type", "application/x-amz-json-1.1")
	var body []byte
	buf, _ := ctx.Value(bodyKey{}).(*[]byte)
	if buf != nil {
		body = (*buf)[:0]
	}
	body = appendPutLogEvents(body, put)
	if buf != nil {
		*buf = body
	}
	sreq, err := req.SetStream(bytes.NewReader(body))
	if err != nil {
		return err
	}
	*req = *sreq
	return nil
}

// appendPutLogEvents appends the JSON body of a PutLogEvents request.
func appendPutLogEvents(b []byte, in *cwl.PutLogEventsInput) []byte {
	b = append(b, '{')
	b = append(b, `"logEvents":[`...)
	for i, ev := range in.LogEvents {
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, `{"message":`...)
		if ev.Message != nil {
			b = record.AppendJSONString(b, bytesOf(*ev.Message))
		} else {
			b = append(b, `""`...)
		}
		b = append(b, `,"timestamp":`...)
		if ev.Timestamp != nil {
			b = strconv.AppendInt(b, *ev.Timestamp, 10)
		} else {
			b = append(b, '0')
		}
		b = append(b, '}')
	}
	b = append(b, ']')
	for _, f := range [...]struct {
		key string
		val *string
	}{{"logGroupName", in.LogGroupName}, {"logStreamName", in.LogStreamName}, {"sequenceToken", in.SequenceToken}} {
		if f.val == nil {
			continue
		}
		b = append(b, `,"`...)
		b = append(b, f.key...)
		b = append(b, `":`...)
		b = record.AppendJSONString(b, bytesOf(*f.val))
	}
	return append(b, '}')
}
