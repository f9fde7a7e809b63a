package cloudwatchlogs

import (
	"fmt"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"unicode/utf8"
)

type logGroup struct {
	name      string
	class     string
	retention int // days; 0 never expires
	created   int64
	tags      map[string]string
	streams   map[string]*logStream
}

type logStream struct {
	name     string
	created  int64
	events   []Event
	bytes    int64
	sequence uint64 // the next expected sequence token, as a number
	lastTS   int64
	firstTS  int64
	lastIngT int64
}

func (g *logGroup) streamNames(prefix string) []string {
	var names []string
	for n := range g.streams {
		if strings.HasPrefix(n, prefix) {
			names = append(names, n)
		}
	}
	sort.Strings(names)
	return names
}

func (s *Server) groupNames(prefix string) []string {
	var names []string
	for n := range s.groups {
		if strings.HasPrefix(n, prefix) {
			names = append(names, n)
		}
	}
	sort.Strings(names)
	return names
}

// The validation limits and patterns of the CloudWatch Logs API reference.
var (
	groupNamePattern = regexp.MustCompile(`^[\.\-_/#A-Za-z0-9]+$`)
	retentionValues  = []int{1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653}
	groupClasses     = []string{"STANDARD", "INFREQUENT_ACCESS", "DELIVERY"}
)

func validation(value, field, constraint string) *apiError {
	return invalidParameter("1 validation error detected: Value '%s' at '%s' failed to satisfy constraint: %s", value, field, constraint)
}

func checkGroupName(name string) *apiError {
	switch {
	case name == "":
		return invalidParameter("1 validation error detected: Value null at 'logGroupName' failed to satisfy constraint: Member must not be null")
	case len(name) > 512:
		return validation(name, "logGroupName", "Member must have length less than or equal to 512")
	case !groupNamePattern.MatchString(name):
		return validation(name, "logGroupName", `Member must satisfy regular expression pattern: [\.\-_/#A-Za-z0-9]+`)
	}
	return nil
}

func checkStreamName(name string) *apiError {
	switch {
	case name == "":
		return invalidParameter("1 validation error detected: Value null at 'logStreamName' failed to satisfy constraint: Member must not be null")
	case len(name) > 512:
		return validation(name, "logStreamName", "Member must have length less than or equal to 512")
	case strings.ContainsAny(name, ":*"):
		return validation(name, "logStreamName", "Member must satisfy regular expression pattern: [^:*]*")
	}
	return nil
}

type createLogGroupInput struct {
	LogGroupName  string            `json:"logGroupName"`
	LogGroupClass string            `json:"logGroupClass"`
	KmsKeyID      string            `json:"kmsKeyId"`
	Tags          map[string]string `json:"tags"`
}

func (s *Server) createLogGroup(in *createLogGroupInput) *apiError {
	if e := checkGroupName(in.LogGroupName); e != nil {
		return e
	}
	if e := s.denied("CreateLogGroup", in.LogGroupName, ""); e != nil {
		return e
	}
	class := in.LogGroupClass
	if class == "" {
		class = "STANDARD"
	}
	ok := false
	for _, c := range groupClasses {
		ok = ok || c == class
	}
	if !ok {
		return validation(class, "logGroupClass", "Member must satisfy enum value set: [STANDARD, INFREQUENT_ACCESS, DELIVERY]")
	}
	if s.groups[in.LogGroupName] != nil {
		return &apiError{status: 400, code: "ResourceAlreadyExistsException", message: "The specified log group already exists"}
	}
	s.groups[in.LogGroupName] = &logGroup{name: in.LogGroupName, class: class, created: s.nowMS(), tags: in.Tags, streams: map[string]*logStream{}}
	return nil
}

type createLogStreamInput struct {
	LogGroupName  string `json:"logGroupName"`
	LogStreamName string `json:"logStreamName"`
}

func (s *Server) createLogStream(in *createLogStreamInput) *apiError {
	if e := checkGroupName(in.LogGroupName); e != nil {
		return e
	}
	if e := checkStreamName(in.LogStreamName); e != nil {
		return e
	}
	if e := s.denied("CreateLogStream", in.LogGroupName, in.LogStreamName); e != nil {
		return e
	}
	g := s.groups[in.LogGroupName]
	if g == nil {
		return notFound("log group")
	}
	if g.streams[in.LogStreamName] != nil {
		return &apiError{status: 400, code: "ResourceAlreadyExistsException", message: "The specified log stream already exists"}
	}
	g.streams[in.LogStreamName] = &logStream{name: in.LogStreamName, created: s.nowMS(), sequence: 1}
	return nil
}

type putRetentionPolicyInput struct {
	LogGroupName    string `json:"logGroupName"`
	RetentionInDays *int   `json:"retentionInDays"`
}

func (s *Server) putRetentionPolicy(in *putRetentionPolicyInput) *apiError {
	if e := checkGroupName(in.LogGroupName); e != nil {
		return e
	}
	if in.RetentionInDays == nil {
		return invalidParameter("1 validation error detected: Value null at 'retentionInDays' failed to satisfy constraint: Member must not be null")
	}
	ok := false
	for _, v := range retentionValues {
		ok = ok || v == *in.RetentionInDays
	}
	if !ok {
		vals := make([]string, len(retentionValues))
		for i, v := range retentionValues {
			vals[i] = strconv.Itoa(v)
		}
		return validation(strconv.Itoa(*in.RetentionInDays), "retentionInDays", "Member must satisfy enum value set: ["+strings.Join(vals, ", ")+"]")
	}
	if e := s.denied("PutRetentionPolicy", in.LogGroupName, ""); e != nil {
		return e
	}
	g := s.groups[in.LogGroupName]
	if g == nil {
		return notFound("log group")
	}
	g.retention = *in.RetentionInDays
	return nil
}

func (s *Server) nowMS() int64 { return s.opts.Now().UnixMilli() }

// The PutLogEvents limits (CloudWatch Logs API reference, PutLogEvents).
const (
	maxEvents        = 10000
	maxBatchBytes    = 1048576
	maxEventBytes    = 262144
	perEventOverhead = 26
	maxSpanMS        = 24 * 3600 * 1000
	maxFutureMS      = 2 * 3600 * 1000
	maxAgeMS         = 14 * 24 * 3600 * 1000
)

type inputLogEvent struct {
	Timestamp *int64  `json:"timestamp"`
	Message   *string `json:"message"`
}

type putLogEventsInput struct {
	LogGroupName  string          `json:"logGroupName"`
	LogStreamName string          `json:"logStreamName"`
	LogEvents     []inputLogEvent `json:"logEvents"`
	SequenceToken *string         `json:"sequenceToken"`
}

type rejectedInfo struct {
	TooNewLogEventStartIndex *int `json:"tooNewLogEventStartIndex,omitempty"`
	TooOldLogEventEndIndex   *int `json:"tooOldLogEventEndIndex,omitempty"`
	ExpiredLogEventEndIndex  *int `json:"expiredLogEventEndIndex,omitempty"`
}

type putLogEventsOutput struct {
	NextSequenceToken     string        `json:"nextSequenceToken"`
	RejectedLogEventsInfo *rejectedInfo `json:"rejectedLogEventsInfo,omitempty"`
}

func (s *Server) putLogEvents(in *putLogEventsInput) (any, *apiError) {
	if e := checkGroupName(in.LogGroupName); e != nil {
		return nil, e
	}
	if e := checkStreamName(in.LogStreamName); e != nil {
		return nil, e
	}
	if e := s.denied("PutLogEvents", in.LogGroupName, in.LogStreamName); e != nil {
		return nil, e
	}
	n := len(in.LogEvents)
	if n == 0 {
		return nil, validation("[]", "logEvents", "Member must have length greater than or equal to 1")
	}
	if n > maxEvents {
		return nil, validation(fmt.Sprintf("[%d events]", n), "logEvents", fmt.Sprintf("Member must have length less than or equal to %d", maxEvents))
	}
	g := s.groups[in.LogGroupName]
	if g == nil {
		return nil, notFound("log group")
	}
	st := g.streams[in.LogStreamName]
	if st == nil {
		return nil, notFound("log stream")
	}
	total := 0
	for i, ev := range in.LogEvents {
		if ev.Timestamp == nil {
			return nil, invalidParameter("1 validation error detected: Value null at 'logEvents.%d.member.timestamp' failed to satisfy constraint: Member must not be null", i+1)
		}
		if ev.Message == nil || *ev.Message == "" {
			return nil, validation("", fmt.Sprintf("logEvents.%d.member.message", i+1), "Member must have length greater than or equal to 1")
		}
		if !utf8.ValidString(*ev.Message) {
			return nil, invalidParameter("Log event message at index %d is not valid UTF-8", i)
		}
		size := len(*ev.Message) + perEventOverhead
		if size > maxEventBytes {
			return nil, invalidParameter("Log event too large: %d bytes exceeds limit of %d", size, maxEventBytes)
		}
		total += size
	}
	if total > maxBatchBytes {
		return nil, invalidParameter("Upload too large: %d bytes exceeds limit of %d", total, maxBatchBytes)
	}
	for i := 1; i < n; i++ {
		if *in.LogEvents[i].Timestamp < *in.LogEvents[i-1].Timestamp {
			return nil, invalidParameter("Log events in a single PutLogEvents request must be in chronological order.")
		}
	}
	if *in.LogEvents[n-1].Timestamp-*in.LogEvents[0].Timestamp > maxSpanMS {
		return nil, invalidParameter("The batch of log events in a single PutLogEvents request cannot span more than 24 hours.")
	}
	expected := strconv.FormatUint(st.sequence, 10)
	if s.opts.RequireSequenceToken && st.sequence > 1 && (in.SequenceToken == nil || *in.SequenceToken != expected) {
		given := "null"
		if in.SequenceToken != nil {
			given = *in.SequenceToken
		}
		return nil, &apiError{status: 400, code: "InvalidSequenceTokenException",
			message: fmt.Sprintf("The given sequenceToken is invalid. The next expected sequenceToken is: %s (given %s)", expected, given),
			extra:   map[string]any{"expectedSequenceToken": expected}}
	}

	now := s.nowMS()
	var info rejectedInfo
	rejected := false
	tooOldEnd, expiredEnd, tooNewStart := 0, 0, n
	for i, ev := range in.LogEvents {
		ts := *ev.Timestamp
		switch {
		case ts > now+maxFutureMS:
			if i < tooNewStart {
				tooNewStart = i
			}
		case ts < now-maxAgeMS:
			tooOldEnd = i + 1
		case g.retention > 0 && ts < now-int64(g.retention)*24*3600*1000:
			expiredEnd = i + 1
		}
	}
	if tooNewStart < n {
		info.TooNewLogEventStartIndex, rejected = &tooNewStart, true
	}
	if tooOldEnd > 0 {
		info.TooOldLogEventEndIndex, rejected = &tooOldEnd, true
	}
	if expiredEnd > tooOldEnd {
		info.ExpiredLogEventEndIndex, rejected = &expiredEnd, true
	}
	start := max(tooOldEnd, expiredEnd)
	for _, ev := range in.LogEvents[start:tooNewStart] {
		st.events = append(st.events, Event{Timestamp: *ev.Timestamp, Message: *ev.Message, IngestionTime: now})
		st.bytes += int64(len(*ev.Message))
		if st.firstTS == 0 || *ev.Timestamp < st.firstTS {
			st.firstTS = *ev.Timestamp
		}
		st.lastTS = max(st.lastTS, *ev.Timestamp)
		st.lastIngT = now
		s.stats.Events++
	}
	st.sequence++
	if len(s.stats.Batches) == maxBatches {
		s.stats.Batches = append(s.stats.Batches[:0], s.stats.Batches[1:]...)
	}
	s.stats.Batches = append(s.stats.Batches, Batch{Group: g.name, Stream: st.name, Events: n, Bytes: total,
		First: *in.LogEvents[0].Timestamp, Last: *in.LogEvents[n-1].Timestamp})
	out := &putLogEventsOutput{NextSequenceToken: strconv.FormatUint(st.sequence, 10)}
	if rejected {
		out.RejectedLogEventsInfo = &info
	}
	return out, nil
}
