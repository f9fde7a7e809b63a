package forwardproto

import (
	"testing"
)

func TestHandshakeMessagesRoundTrip(t *testing.T) {
	h := Helo{Nonce: []byte("nonce-16-bytes!!"), Auth: []byte("salt"), Keepalive: true}
	gotH, err := ParseHelo(AppendHelo(nil, h))
	if err != nil || string(gotH.Nonce) != string(h.Nonce) || string(gotH.Auth) != "salt" || !gotH.Keepalive {
		t.Fatalf("HELO: %+v, %v", gotH, err)
	}
	p := Ping{Hostname: "client", SharedKeySalt: []byte("s"), SharedKeyDigest: "d", Username: "u", PasswordDigest: "pd"}
	gotP, err := ParsePing(AppendPing(nil, p))
	if err != nil || gotP.Hostname != "client" || string(gotP.SharedKeySalt) != "s" || gotP.SharedKeyDigest != "d" || gotP.Username != "u" || gotP.PasswordDigest != "pd" {
		t.Fatalf("PING: %+v, %v", gotP, err)
	}
	if !IsPing(AppendPing(nil, p)) || IsPing(AppendHelo(nil, h)) {
		t.Error("IsPing")
	}
	o := Pong{OK: true, Hostname: "server", SharedKeyDigest: "x"}
	gotO, err := ParsePong(AppendPong(nil, o))
	if err != nil || gotO != o {
		t.Fatalf("PONG: %+v, %v", gotO, err)
	}
	id, err := ParseAck(AppendAck(nil, []byte("chunk-id")))
	if err != nil || string(id) != "chunk-id" {
		t.Fatalf("ack: %q, %v", id, err)
	}
	if _, err := ParsePong(AppendHelo(nil, h)); err == nil {
		t.Error("a HELO parsed as PONG")
	}
}

func TestDigestsFollowTheSpecification(t *testing.T) {
	// hex(sha512("salt" + "host" + "nonce" + "key")), computed with
	// `printf saltHostnonceKey | sha512sum` style concatenation.
	a := SharedKeyDigest([]byte("salt"), "host", []byte("nonce"), "key")
	b := PasswordDigest([]byte("salt"), "host", "noncekey")
	if a != b || len(a) != 128 {
		t.Fatalf("digests differ for the same concatenation: %s %s", a, b)
	}
}
