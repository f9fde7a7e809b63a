package kafka

import (
	"hash/crc32"
	"hash/fnv"

	"github.com/sluice-logs/sluice/internal/kafkaconn"
	"github.com/sluice-logs/sluice/internal/plugin"
	"github.com/twmb/franz-go/pkg/kgo"
)

// producerOptions maps the producer's rdkafka.* properties onto franz-go.
func producerOptions(c *plugin.Config) ([]kgo.Opt, error) {
	opts := []kgo.Opt{
		// Topics are created on demand when the cluster allows it, as
		// librdkafka's producer does (dynamic_topic relies on it).
		kgo.AllowAutoTopicCreation(),
		kgo.ProducerLinger(kafkaconn.Millis(c, firstOf(c, "rdkafka.linger.ms", "rdkafka.queue.buffering.max.ms"))),
		kgo.ProducerBatchMaxBytes(int32(c.Int("rdkafka.batch.size"))),
		kgo.ProduceRequestTimeout(kafkaconn.Millis(c, "rdkafka.request.timeout.ms")),
	}
	codec, _ := kafkaconn.FirstSet(c, c.String("rdkafka.compression.codec"), "rdkafka.compression.type", "rdkafka.compression.codec")
	switch codec {
	case "gzip":
		opts = append(opts, kgo.ProducerBatchCompression(kgo.GzipCompression()))
	case "snappy":
		opts = append(opts, kgo.ProducerBatchCompression(kgo.SnappyCompression()))
	case "lz4":
		opts = append(opts, kgo.ProducerBatchCompression(kgo.Lz4Compression()))
	case "zstd":
		opts = append(opts, kgo.ProducerBatchCompression(kgo.ZstdCompression()))
	default:
		opts = append(opts, kgo.ProducerBatchCompression(kgo.NoCompression()))
	}
	acks, acksName := kafkaconn.FirstSet(c, c.String("rdkafka.request.required.acks"), "rdkafka.acks", "rdkafka.request.required.acks")
	idempotent := c.Bool("rdkafka.enable.idempotence")
	switch acks {
	case "0":
		opts = append(opts, kgo.RequiredAcks(kgo.NoAck()))
	case "1":
		opts = append(opts, kgo.RequiredAcks(kgo.LeaderAck()))
	default:
		opts = append(opts, kgo.RequiredAcks(kgo.AllISRAcks()))
	}
	if acks == "0" || acks == "1" {
		if idempotent && c.IsSet("rdkafka.enable.idempotence") {
			return nil, c.Errorf("rdkafka.enable.idempotence", "needs %s -1 (all replicas); remove one of the two", acksName)
		}
		idempotent = false
	}
	if !idempotent {
		opts = append(opts, kgo.DisableIdempotentWrite())
	}
	timeout := firstOf(c, "rdkafka.delivery.timeout.ms", "rdkafka.message.timeout.ms")
	if d := kafkaconn.Millis(c, timeout); d > 0 {
		opts = append(opts, kgo.RecordDeliveryTimeout(d))
	}
	if name := firstOf(c, "rdkafka.retries", "rdkafka.message.send.max.retries"); c.IsSet(name) {
		opts = append(opts, kgo.RecordRetries(int(c.Int(name))))
	}
	if c.IsSet("rdkafka.queue.buffering.max.kbytes") {
		opts = append(opts, kgo.MaxBufferedBytes(int(c.Int("rdkafka.queue.buffering.max.kbytes"))<<10))
	}
	if c.IsSet("rdkafka.message.max.bytes") {
		opts = append(opts, kgo.BrokerMaxWriteBytes(int32(c.Int("rdkafka.message.max.bytes"))))
	}
	opts = append(opts, kgo.RecordPartitioner(partitioner(c.String("rdkafka.partitioner"))))
	return opts, nil
}

// firstOf returns the first of names the user set, or the last name (the
// one with the default).
func firstOf(c *plugin.Config, names ...string) string {
	for _, n := range names {
		if c.IsSet(n) {
			return n
		}
	}
	return names[len(names)-1]
}

// partitioner returns librdkafka's partitioner of that name. Keyed records
// hash to a partition (crc32 for consistent*, murmur2 as the Java client,
// fnv1a); keyless records spread over partitions (*_random, random) in
// sticky batches, or all go to one partition (consistent, murmur2, fnv1a).
func partitioner(name string) kgo.Partitioner {
	var hash kgo.PartitionerHasher
	switch name {
	case "random":
		return kgo.StickyPartitioner()
	case "murmur2", "murmur2_random":
		hash = kgo.KafkaHasher(murmur2)
	case "fnv1a", "fnv1a_random":
		hash = kgo.SaramaHasher(fnv1a)
	default: // consistent, consistent_random (librdkafka's default): crc32
		hash = kgo.SaramaHasher(crc32.ChecksumIEEE)
	}
	switch name {
	case "consistent", "murmur2", "fnv1a":
		return kgo.BasicConsistentPartitioner(func(string) func(*kgo.Record, int) int {
			return func(r *kgo.Record, n int) int {
				if r.Key == nil {
					return 0
				}
				return hash(r.Key, n)
			}
		})
	}
	return kgo.StickyKeyPartitioner(hash)
}

func fnv1a(key []byte) uint32 {
	h := fnv.New32a()
	h.Write(key)
	return h.Sum32()
}

// murmur2 is Kafka's key hash (org.apache.kafka.common.utils.Utils.murmur2).
func murmur2(data []byte) uint32 {
	const seed, m, r = uint32(0x9747b28c), uint32(0x5bd1e995), 24
	h := seed ^ uint32(len(data))
	for len(data) >= 4 {
		k := uint32(data[0]) | uint32(data[1])<<8 | uint32(data[2])<<16 | uint32(data[3])<<24
		k *= m
		k ^= k >> r
		k *= m
		h *= m
		h ^= k
		data = data[4:]
	}
	switch len(data) {
	case 3:
		h ^= uint32(data[2]) << 16
		fallthrough
	case 2:
		h ^= uint32(data[1]) << 8
		fallthrough
	case 1:
		h ^= uint32(data[0])
		h *= m
	}
	h ^= h >> 13
	h *= m
	h ^= h >> 15
	return h
}
