package cloudwatchlogs

import (
	"sort"
	"strconv"
	"strings"
)

// pageStart parses the emulator's page tokens: the index to start at.
func pageStart(token *string) (int, *apiError) {
	if token == nil || *token == "" {
		return 0, nil
	}
	i, err := strconv.Atoi(strings.TrimPrefix(strings.TrimPrefix(*token, "f/"), "b/"))
	if err != nil || i < 0 {
		return 0, invalidParameter("The specified nextToken is invalid.")
	}
	return i, nil
}

func limitOf(limit *int, def, most int) (int, *apiError) {
	if limit == nil {
		return def, nil
	}
	if *limit < 1 || *limit > most {
		return 0, validation(strconv.Itoa(*limit), "limit", "Member must have value between 1 and "+strconv.Itoa(most))
	}
	return *limit, nil
}

type describeLogGroupsInput struct {
	LogGroupNamePrefix string  `json:"logGroupNamePrefix"`
	Limit              *int    `json:"limit"`
	NextToken          *string `json:"nextToken"`
}

type logGroupOut struct {
	LogGroupName    string `json:"logGroupName"`
	Arn             string `json:"arn"`
	LogGroupArn     string `json:"logGroupArn"`
	CreationTime    int64  `json:"creationTime"`
	RetentionInDays *int   `json:"retentionInDays,omitempty"`
	StoredBytes     int64  `json:"storedBytes"`
	LogGroupClass   string `json:"logGroupClass"`
}

func (s *Server) describeLogGroups(in *describeLogGroupsInput) (any, *apiError) {
	start, e := pageStart(in.NextToken)
	if e != nil {
		return nil, e
	}
	limit, e := limitOf(in.Limit, 50, 50)
	if e != nil {
		return nil, e
	}
	names := s.groupNames(in.LogGroupNamePrefix)
	out := struct {
		LogGroups []logGroupOut `json:"logGroups"`
		NextToken *string       `json:"nextToken,omitempty"`
	}{LogGroups: []logGroupOut{}}
	for i := start; i < len(names); i++ {
		if len(out.LogGroups) == limit {
			tok := strconv.Itoa(i)
			out.NextToken = &tok
			break
		}
		g := s.groups[names[i]]
		o := logGroupOut{LogGroupName: g.name, Arn: s.groupARN(g.name) + ":*", LogGroupArn: s.groupARN(g.name), CreationTime: g.created, LogGroupClass: g.class}
		for _, st := range g.streams {
			o.StoredBytes += st.bytes
		}
		if g.retention > 0 {
			r := g.retention
			o.RetentionInDays = &r
		}
		out.LogGroups = append(out.LogGroups, o)
	}
	return out, nil
}

type describeLogStreamsInput struct {
	LogGroupName        string  `json:"logGroupName"`
	LogStreamNamePrefix string  `json:"logStreamNamePrefix"`
	OrderBy             string  `json:"orderBy"`
	Descending          bool    `json:"descending"`
	Limit               *int    `json:"limit"`
	NextToken           *string `json:"nextToken"`
}

type logStreamOut struct {
	LogStreamName       string `json:"logStreamName"`
	Arn                 string `json:"arn"`
	CreationTime        int64  `json:"creationTime"`
	FirstEventTimestamp int64  `json:"firstEventTimestamp,omitempty"`
	LastEventTimestamp  int64  `json:"lastEventTimestamp,omitempty"`
	LastIngestionTime   int64  `json:"lastIngestionTime,omitempty"`
	UploadSequenceToken string `json:"uploadSequenceToken"`
	StoredBytes         int64  `json:"storedBytes"`
}

func (s *Server) describeLogStreams(in *describeLogStreamsInput) (any, *apiError) {
	if e := checkGroupName(in.LogGroupName); e != nil {
		return nil, e
	}
	if e := s.denied("DescribeLogStreams", in.LogGroupName, ""); e != nil {
		return nil, e
	}
	g := s.groups[in.LogGroupName]
	if g == nil {
		return nil, notFound("log group")
	}
	if in.OrderBy == "LastEventTime" && in.LogStreamNamePrefix != "" {
		return nil, invalidParameter("Cannot order by LastEventTime with a logStreamNamePrefix.")
	}
	start, e := pageStart(in.NextToken)
	if e != nil {
		return nil, e
	}
	limit, e := limitOf(in.Limit, 50, 50)
	if e != nil {
		return nil, e
	}
	names := g.streamNames(in.LogStreamNamePrefix)
	if in.OrderBy == "LastEventTime" {
		sort.SliceStable(names, func(i, j int) bool { return g.streams[names[i]].lastTS < g.streams[names[j]].lastTS })
	}
	if in.Descending {
		for i, j := 0, len(names)-1; i < j; i, j = i+1, j-1 {
			names[i], names[j] = names[j], names[i]
		}
	}
	out := struct {
		LogStreams []logStreamOut `json:"logStreams"`
		NextToken  *string        `json:"nextToken,omitempty"`
	}{LogStreams: []logStreamOut{}}
	for i := start; i < len(names); i++ {
		if len(out.LogStreams) == limit {
			tok := strconv.Itoa(i)
			out.NextToken = &tok
			break
		}
		st := g.streams[names[i]]
		out.LogStreams = append(out.LogStreams, logStreamOut{
			LogStreamName: st.name, Arn: s.groupARN(g.name) + ":log-stream:" + st.name, CreationTime: st.created,
			FirstEventTimestamp: st.firstTS, LastEventTimestamp: st.lastTS, LastIngestionTime: st.lastIngT,
			UploadSequenceToken: strconv.FormatUint(st.sequence, 10), StoredBytes: st.bytes,
		})
	}
	return out, nil
}

type getLogEventsInput struct {
	LogGroupName  string  `json:"logGroupName"`
	LogStreamName string  `json:"logStreamName"`
	StartTime     *int64  `json:"startTime"`
	EndTime       *int64  `json:"endTime"`
	StartFromHead bool    `json:"startFromHead"`
	Limit         *int    `json:"limit"`
	NextToken     *string `json:"nextToken"`
}

func inRange(ts int64, start, end *int64) bool {
	return (start == nil || ts >= *start) && (end == nil || ts < *end)
}

// getLogEvents pages forward through a stream with "f/<index>" tokens.
// Without a token and startFromHead, it returns the newest events, as AWS
// does.
func (s *Server) getLogEvents(in *getLogEventsInput) (any, *apiError) {
	if e := checkGroupName(in.LogGroupName); e != nil {
		return nil, e
	}
	if e := checkStreamName(in.LogStreamName); e != nil {
		return nil, e
	}
	if e := s.denied("GetLogEvents", in.LogGroupName, in.LogStreamName); e != nil {
		return nil, e
	}
	g := s.groups[in.LogGroupName]
	if g == nil {
		return nil, notFound("log group")
	}
	st := g.streams[in.LogStreamName]
	if st == nil {
		return nil, notFound("log stream")
	}
	limit, e := limitOf(in.Limit, 10000, 10000)
	if e != nil {
		return nil, e
	}
	var idx []int
	for i, ev := range st.events {
		if inRange(ev.Timestamp, in.StartTime, in.EndTime) {
			idx = append(idx, i)
		}
	}
	from := 0
	if in.NextToken != nil {
		if from, e = pageStart(in.NextToken); e != nil {
			return nil, e
		}
	} else if !in.StartFromHead && len(idx) > limit {
		from = len(idx) - limit
	}
	from = min(from, len(idx))
	to := min(from+limit, len(idx))
	out := struct {
		Events            []Event `json:"events"`
		NextForwardToken  string  `json:"nextForwardToken"`
		NextBackwardToken string  `json:"nextBackwardToken"`
	}{Events: []Event{}, NextForwardToken: "f/" + strconv.Itoa(to), NextBackwardToken: "b/" + strconv.Itoa(max(from-limit, 0))}
	for _, i := range idx[from:to] {
		out.Events = append(out.Events, st.events[i])
	}
	return out, nil
}

type filterLogEventsInput struct {
	LogGroupName        string   `json:"logGroupName"`
	LogStreamNames      []string `json:"logStreamNames"`
	LogStreamNamePrefix string   `json:"logStreamNamePrefix"`
	StartTime           *int64   `json:"startTime"`
	EndTime             *int64   `json:"endTime"`
	FilterPattern       string   `json:"filterPattern"`
	Limit               *int     `json:"limit"`
	NextToken           *string  `json:"nextToken"`
}

type filteredEvent struct {
	LogStreamName string `json:"logStreamName"`
	Timestamp     int64  `json:"timestamp"`
	Message       string `json:"message"`
	IngestionTime int64  `json:"ingestionTime"`
	EventID       string `json:"eventId"`
}

// filterLogEvents supports filter patterns made of terms (each must occur
// in the message) and double-quoted phrases; AWS's JSON and metric
// patterns are not emulated.
func (s *Server) filterLogEvents(in *filterLogEventsInput) (any, *apiError) {
	if e := checkGroupName(in.LogGroupName); e != nil {
		return nil, e
	}
	if len(in.LogStreamNames) > 0 && in.LogStreamNamePrefix != "" {
		return nil, invalidParameter("Cannot specify both logStreamNames and logStreamNamePrefix.")
	}
	if e := s.denied("FilterLogEvents", in.LogGroupName, ""); e != nil {
		return nil, e
	}
	g := s.groups[in.LogGroupName]
	if g == nil {
		return nil, notFound("log group")
	}
	start, e := pageStart(in.NextToken)
	if e != nil {
		return nil, e
	}
	limit, e := limitOf(in.Limit, 10000, 10000)
	if e != nil {
		return nil, e
	}
	names := in.LogStreamNames
	if len(names) == 0 {
		names = g.streamNames(in.LogStreamNamePrefix)
	}
	terms := patternTerms(in.FilterPattern)
	var all []filteredEvent
	for _, n := range names {
		st := g.streams[n]
		if st == nil {
			continue
		}
		for i, ev := range st.events {
			if inRange(ev.Timestamp, in.StartTime, in.EndTime) && matchTerms(ev.Message, terms) {
				all = append(all, filteredEvent{LogStreamName: n, Timestamp: ev.Timestamp, Message: ev.Message,
					IngestionTime: ev.IngestionTime, EventID: n + "/" + strconv.Itoa(i)})
			}
		}
	}
	sort.SliceStable(all, func(i, j int) bool { return all[i].Timestamp < all[j].Timestamp })
	start = min(start, len(all))
	end := min(start+limit, len(all))
	out := struct {
		Events    []filteredEvent `json:"events"`
		NextToken *string         `json:"nextToken,omitempty"`
	}{Events: append([]filteredEvent{}, all[start:end]...)}
	if end < len(all) {
		tok := strconv.Itoa(end)
		out.NextToken = &tok
	}
	return out, nil
}

func patternTerms(p string) []string {
	var terms []string
	p = strings.TrimSpace(p)
	for p != "" {
		if p[0] == '"' {
			if end := strings.IndexByte(p[1:], '"'); end >= 0 {
				terms = append(terms, p[1:end+1])
				p = strings.TrimSpace(p[end+2:])
				continue
			}
		}
		word, rest, _ := strings.Cut(p, " ")
		terms = append(terms, word)
		p = strings.TrimSpace(rest)
	}
	return terms
}

func matchTerms(msg string, terms []string) bool {
	for _, t := range terms {
		if !strings.Contains(msg, t) {
			return false
		}
	}
	return true
}
