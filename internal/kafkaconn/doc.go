// Package kafkaconn turns the connection settings that Fluent Bit's kafka
// input and output share — brokers, client_id, the librdkafka security
// properties (rdkafka.security.protocol, rdkafka.sasl.*, rdkafka.ssl.*) and
// AWS MSK IAM — into franz-go client options, declared once as plugin
// parameters so both plugins accept and document the same keys.
//
// librdkafka properties are accepted under their rdkafka.* names where they
// map onto franz-go; each plugin declares the properties of its role
// (producer or consumer) beside these. Properties that only tune
// librdkafka's internals are declared as Ignored: a configuration written for
// Fluent Bit still validates, and the plugin logs once that the property has
// no effect.
package kafkaconn
