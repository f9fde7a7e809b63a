package kafka

import (
	"bytes"
	"log/slog"
	"sync"

	"github.com/sluice-logs/sluice/internal/record"
)

// maxTopicName is Kafka's limit on topic names (kafka.common.Topic: 249).
const maxTopicName = 249

// maxDynamicTopics bounds the topics dynamic_topic learns from records, so
// a field with unbounded values cannot grow memory without end; records
// naming a topic beyond it go to the default topic, with a warning.
const maxDynamicTopics = 1024

// topicRouter picks each record's topic as Fluent Bit's out_kafka does:
// the string value of topic_key when it names one of topics, or any valid
// name with dynamic_topic; otherwise the first topic.
type topicRouter struct {
	topics  []string // topics[0] is the default
	key     string   // topic_key; "" routes everything to the default
	dynamic bool
	logger  *slog.Logger

	mu      sync.Mutex
	learned map[string]string // dynamic topics seen, interned
	full    bool              // maxDynamicTopics reached and reported
}

// topic returns the topic of a record body.
func (r *topicRouter) topic(body []byte) string {
	if r.key == "" {
		return r.topics[0]
	}
	v, ok := record.Lookup(body, r.key)
	if !ok {
		return r.topics[0]
	}
	name, ok := record.StringValue(v)
	if !ok {
		return r.topics[0]
	}
	for _, t := range r.topics {
		if string(name) == t {
			return t
		}
	}
	if !r.dynamic {
		return r.topics[0]
	}
	return r.learn(name)
}

// learn interns a dynamic topic name, or returns the default topic for a
// name Kafka would reject (Fluent Bit also refuses commas and names longer
// than 249 bytes).
func (r *topicRouter) learn(name []byte) string {
	r.mu.Lock()
	defer r.mu.Unlock()
	if t, ok := r.learned[string(name)]; ok {
		return t
	}
	if !validTopic(name) {
		r.logger.Warn("topic_key names an invalid Kafka topic; using the default topic", "topic", string(name), "default", r.topics[0])
		return r.topics[0]
	}
	if len(r.learned) >= maxDynamicTopics {
		if !r.full {
			r.full = true
			r.logger.Warn("dynamic_topic learned its maximum of topics; records naming further topics go to the default topic",
				"max", maxDynamicTopics, "default", r.topics[0])
		}
		return r.topics[0]
	}
	t := string(name)
	r.learned[t] = t
	r.logger.Info("new dynamic topic", "topic", t)
	return t
}

// validTopic applies Kafka's rule for topic names: 1 to 249 characters of
// [a-zA-Z0-9._-], and neither "." nor "..".
func validTopic(name []byte) bool {
	if len(name) == 0 || len(name) > maxTopicName || bytes.Equal(name, []byte(".")) || bytes.Equal(name, []byte("..")) {
		return false
	}
	for _, c := range name {
		switch {
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9', c == '.', c == '_', c == '-':
		default:
			return false
		}
	}
	return true
}

// messageKey returns the message key of a record body: the string value of
// message_key_field when present, else message_key (nil when neither). The
// slice aliases body or the configured key.
func messageKey(body []byte, field string, static []byte) []byte {
	if field != "" {
		if v, ok := record.Lookup(body, field); ok {
			if s, ok := record.StringValue(v); ok {
				return s
			}
		}
	}
	return static
}
